// Compiled (never run) by tests/e2e/types.spec.mjs: the README's React + TypeScript snippet, which
// tells TSX about <sondeo-survey>, and a component that uses the element and mount().
import { useEffect, useRef } from "react";
import { mount } from "../../dist/sondeo.js";
import type { SondeoSurveyElement, SondeoSurveyProps, Survey } from "../../dist/sondeo.js";

declare module "react" {
  namespace JSX {
    interface IntrinsicElements {
      "sondeo-survey": React.DetailedHTMLProps<React.HTMLAttributes<SondeoSurveyElement>, SondeoSurveyElement> & SondeoSurveyProps;
    }
  }
}

export function Feedback({ ticketId }: { ticketId: string }) {
  const element = useRef<SondeoSurveyElement>(null);
  useEffect(() => {
    if (element.current) element.current.config = { kind: "csat", endpoint: "/api/responses", metadata: { ticketId } };
  }, [ticketId]);
  return (
    <>
      <sondeo-survey ref={element} kind="csat" endpoint="/api/responses" survey-id="post-ticket" locale="auto" />
      <sondeo-survey config={{ kind: "nps", endpoint: "/api/responses", metadata: { ticketId } }} />
    </>
  );
}

export function Modal() {
  const target = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let survey: Survey | undefined;
    let gone = false;
    mount(target.current, { kind: "nps", endpoint: "/api/responses" }).then((s) => (gone ? s.destroy() : (survey = s)));
    return () => {
      gone = true;
      survey?.destroy();
    };
  }, []);
  // @ts-expect-error: not a kind
  const wrong = <sondeo-survey kind="nsp" />;
  return <div ref={target}>{wrong}</div>;
}
