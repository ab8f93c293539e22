// Types for dist/sondeo.js: the widget's JavaScript API, its config, the payload it posts and
// the events it sends. The README's Config and Payload sections are the reference; the test
// suite (tests/e2e/types.spec.mjs) checks these names against what the widget accepts.

/** NPS and eNPS (0–10) group their answers this way. */
export type NpsGroup = "detractor" | "passive" | "promoter";
/** CSAT, CES, rating (1–5) and yes/no group their answers this way (yes/no: `low` or `high`). */
export type LevelGroup = "low" | "neutral" | "high";
export type Group = NpsGroup | LevelGroup;
/** `nps` 0–10, `enps` 0–10 (employees), `csat` 1–5, `ces` 1–7, `rating` 1–5, `yesno` 0 (no) or 1 (yes). */
export type Kind = "nps" | "enps" | "csat" | "ces" | "rating" | "yesno";

/** The keys of `texts`: any built-in text may be replaced (`crates/core/src/i18n/mod.rs`). */
export type TextKey =
  | "close" | "npsQuestion" | "npsLow" | "npsHigh"
  | "csatQuestion" | "csat1" | "csat2" | "csat3" | "csat4" | "csat5"
  | "cesQuestion" | "ces1" | "ces2" | "ces3" | "ces4" | "ces5" | "ces6" | "ces7"
  | "followUpDetractor" | "followUpPassive" | "followUpPromoter" | "followUpLow" | "followUpNeutral" | "followUpHigh"
  | "commentPlaceholder" | "reasonsLabel" | "submit" | "required"
  | "thankYouDetractor" | "thankYouPassive" | "thankYouPromoter" | "thankYouLow" | "thankYouNeutral" | "thankYouHigh"
  | "enpsQuestion" | "surveyLabel"
  | "ratingQuestion" | "rating1" | "rating2" | "rating3" | "rating4" | "rating5"
  | "yesnoQuestion" | "no" | "yes" | "back" | "progress" | "next";

/** A metadata or user attribute value: numbers keep the digits they were written with; null or undefined leaves the key out. */
export type AttributeValue = string | number | boolean | null | undefined;

/** The "why" question after the score: off, or worded per group (keys are the groups of the question it follows). */
export type FollowUp<G extends Group> =
  | boolean
  | ({ [group in G]?: string | undefined } & {
      enabled?: boolean | undefined;
      /** The visitor must write something before sending (default false). */
      required?: boolean | undefined;
      /** 1–5000 characters, counted as browsers count `maxlength` (default 1000). */
      maxLength?: number | undefined;
      placeholder?: string | undefined;
    });

export type ThankYou<G extends Group> = { [group in G]?: string | undefined } & {
  /** Shown to promoters and high scores only. */
  link?: { url: string; text: string } | undefined;
  /** A modal or slide-in closes this long after the thank-you shows (default 4000, 0 keeps it open). */
  closeAfterMs?: number | undefined;
};

/** Reason chips: a list of options, or the options with `multiple` and a `label`. Up to 12 options. */
export type Reasons = string[] | { options: string[]; multiple?: boolean | undefined; label?: string | undefined };

export type Position = "bottom-right" | "bottom-left" | "top-right" | "top-left";
export type DisplayMode = "inline" | "modal" | "slide-in";

export interface Trigger {
  /** Show when mounted (default true, false when another trigger is given). */
  load?: boolean | undefined;
  /** 0–3600000 ms after mount. */
  delayMs?: number | undefined;
  /** 0–100: once the visitor has seen this much of the page. */
  scrollPercent?: number | undefined;
  /** The pointer leaving through the top of the window. */
  exitIntent?: boolean | undefined;
  /** A DOM event dispatched on `window` (in-app prompts), up to 100 characters. */
  event?: string | undefined;
}

/** Colours and shape, as strings of up to 200 characters, or any `--sondeo-*` custom property. */
export type Theme = {
  mode?: "auto" | "light" | "dark" | undefined;
  accent?: string | undefined;
  accentText?: string | undefined;
  background?: string | undefined;
  text?: string | undefined;
  muted?: string | undefined;
  border?: string | undefined;
  radius?: string | undefined;
  font?: string | undefined;
  zIndex?: string | undefined;
} & { [property: `--sondeo-${string}`]: string };

export interface Delivery {
  /** 1–100 (default 6). */
  maxAttempts?: number | undefined;
  /** 10–600000 ms (default 1000). */
  baseDelayMs?: number | undefined;
  /** 10–3600000 ms (default 60000). */
  maxDelayMs?: number | undefined;
  /** 1–1000 responses kept unsent per endpoint (default 100). */
  queueLimit?: number | undefined;
  /** Post a partial as soon as a score is chosen (default true). */
  partial?: boolean | undefined;
  /** 1–365 days an unsent response is kept (default 7). */
  maxAgeDays?: number | undefined;
  /** 1000–25000 ms one attempt waits for the endpoint's answer (default 20000). */
  timeoutMs?: number | undefined;
}

/** Every optional field of `T` may also be null or undefined (under `exactOptionalPropertyTypes` too): the widget reads both as not given. */
type NullableOptional<T> = { [K in keyof T]: {} extends Pick<T, K> ? T[K] | null | undefined : T[K] };

/** What every survey may set, whatever it asks. */
type CommonConfig = NullableOptional<CommonFields>;

interface CommonFields {
  /** An http(s) URL or a path such as "/api/responses". */
  endpoint: string;
  /** The survey id, sent as `surveyId` (up to 100 characters; default: the kind). */
  id?: string;
  /** The response's id when the page decides it (one response per ticket): 1–64 letters, digits, `-`, `_`. */
  responseId?: string;
  reasons?: Reasons;
  method?: "POST" | "PUT";
  /** Extra request headers (an API key): up to 20. Never stored in the browser. */
  headers?: Record<string, string>;
  /** Reshapes the body for any endpoint: a string is sent as is, an object as JSON. Synchronous (a Promise is refused). */
  beforeSend?: (payload: ResponsePayload) => string | (object & { then?: never });
  display?: DisplayMode | { mode?: DisplayMode | undefined; position?: Position | undefined };
  trigger?: Trigger;
  /** Share of people asked, 0–1 (default 1). */
  sample?: number;
  recontactDays?: number;
  dismissDays?: number;
  maxDisplays?: number;
  globalCooldownDays?: number;
  afterPageViews?: number;
  afterSessions?: number;
  afterSeconds?: number;
  /** Path patterns (up to 20): `*`, `**`, `?key=value`, `#/route`. */
  showOn?: string | string[];
  hideOn?: string | string[];
  /** Ignore every targeting rule (a preview). */
  force?: boolean;
  /** "auto" (default) or a language tag such as "es" or "pt-BR". */
  locale?: string;
  texts?: Partial<Record<TextKey, string>>;
  theme?: Theme;
  /** Up to 50 keys: ticketId, agent, touchpoint, channel… */
  metadata?: Record<string, AttributeValue>;
  user?: { id?: string | number | null | undefined } & Record<string, AttributeValue>;
  delivery?: Delivery;
  /** "required": store nothing in the browser until `consent(true)`. */
  consent?: "none" | "required";
  /** An employee pulse: no user, no page, metadata only `team` and `location`, times cut to the day. */
  anonymous?: boolean;
  /** Post a display record when the prompt first shows (response rates). */
  impressions?: boolean;
}

interface NpsLikeConfig extends CommonConfig {
  kind: "nps" | "enps";
  question?: string | null | undefined;
  scale?: "numbers" | null | undefined;
  followUp?: FollowUp<NpsGroup> | null | undefined;
  thankYou?: ThankYou<NpsGroup> | null | undefined;
}

interface LevelConfig<K extends Kind, S extends string> extends CommonConfig {
  kind: K;
  question?: string | null | undefined;
  scale?: S | null | undefined;
  followUp?: FollowUp<LevelGroup> | null | undefined;
  thankYou?: ThankYou<LevelGroup> | null | undefined;
}

/** One question of a survey of several. */
export type Question =
  | { key: string; kind: "nps" | "enps" | "ces"; question?: string | undefined; scale?: "numbers" | undefined }
  | { key: string; kind: "csat"; question?: string | undefined; scale?: "numbers" | "stars" | "emoji" | undefined }
  | { key: string; kind: "rating"; question?: string | undefined; scale?: "stars" | "numbers" | undefined }
  | { key: string; kind: "yesno"; question?: string | undefined; scale?: "words" | undefined };

/** Several questions (2–5) in one response: `kind`, `question` and `scale` go on each question. */
interface QuestionsConfig extends CommonConfig {
  questions: Question[];
  kind?: never;
  question?: never;
  scale?: never;
  /** Texts per group of any question; `after` names the question the "why" follows (default: the worst answered). */
  followUp?: FollowUp<Group> | ({ after?: string | undefined } & Exclude<FollowUp<Group>, boolean>) | null | undefined;
  thankYou?: ThankYou<Group> | null | undefined;
}

export type SurveyConfig =
  | NpsLikeConfig
  | LevelConfig<"csat", "numbers" | "stars" | "emoji">
  | LevelConfig<"ces", "numbers">
  | LevelConfig<"rating", "stars" | "numbers">
  | LevelConfig<"yesno", "words">
  | QuestionsConfig;

/** One answer of a schema 2 payload. */
export interface Answer {
  key: string;
  kind: Kind;
  score: number;
}

/** What is posted, and the detail of `sondeo:answer` and `sondeo:submit`. */
export interface ResponsePayload {
  schema: 1 | 2;
  /** The same for the partial and the final version: the endpoint keeps one response per id. */
  id: string;
  surveyId: string;
  kind: Kind;
  score: number;
  group: Group;
  /** Schema 2: the questions answered so far, in the order asked. */
  answers?: Answer[];
  comment?: string;
  reasons: string[];
  complete: boolean;
  locale: string;
  metadata: Record<string, string>;
  user?: { id?: string } & Record<string, string>;
  anonymous?: true;
  /** The page's origin and path (no query); absent for an anonymous survey. */
  page?: string;
  createdAt: string;
  submittedAt?: string;
  updatedAt: string;
}

/** What `sondeo:show` and `sondeo:close` carry before a score is chosen (after it, the payload). */
export interface SurveyRef {
  id: string;
  surveyId: string;
  kind: Kind;
}

/** Delivery's events: `sent`, `queued`, `retry` (with `attempt` and `delayMs`), `error`. */
export interface DeliveryDetail {
  /** The response's id. */
  id: string;
  /** Whether the version concerned is the final answer (false: the partial sent when the
   * score was chosen, which shares the id); absent on what the widget says before the
   * delivery module has the answer (a module that could not load, a `beforeSend` that threw). */
  complete?: boolean;
  /** The endpoint's HTTP status; absent when no answer came (offline, a timeout). */
  status?: number;
  /** What went wrong, in words (the endpoint's message on a 4xx). */
  error?: string;
  attempt?: number;
  delayMs?: number;
}

export interface SondeoEventMap {
  "sondeo:show": CustomEvent<SurveyRef | ResponsePayload>;
  "sondeo:answer": CustomEvent<ResponsePayload>;
  "sondeo:submit": CustomEvent<ResponsePayload>;
  "sondeo:close": CustomEvent<SurveyRef | ResponsePayload>;
  "sondeo:sent": CustomEvent<DeliveryDetail>;
  "sondeo:queued": CustomEvent<DeliveryDetail>;
  "sondeo:retry": CustomEvent<DeliveryDetail>;
  "sondeo:error": CustomEvent<DeliveryDetail | { error: string }>;
}

/** A mounted survey. */
export interface Survey {
  /** Shows the prompt, whatever its triggers say (a slide-in takes the focus). */
  show(): void;
  /** Hides the prompt. */
  close(): void;
  /** Removes the prompt and its listeners; it answers nothing after this. */
  destroy(): void;
  /** Chooses a score as the visitor would; throws when it is off the scale or the survey is over. */
  select(score: number): void;
  /** Responses not yet acknowledged by the endpoint. */
  pending(): number;
}

/** The attributes of `<sondeo-survey>`, in markup or JSX: they win over its `config` property. */
export interface SondeoSurveyAttributes {
  kind?: Kind;
  endpoint?: string;
  "survey-id"?: string;
  locale?: string;
  display?: DisplayMode;
  scale?: "numbers" | "stars" | "emoji" | "words";
  question?: string;
}

/** `<sondeo-survey>`: configured by its attributes and its `config` property (attributes win). */
/** What JSX may set on `<sondeo-survey>`: its attributes, and `config` (a framework sets it as the property). */
export interface SondeoSurveyProps extends SondeoSurveyAttributes {
  config?: Partial<SurveyConfig>;
}

export interface SondeoSurveyElement extends HTMLElement {
  config: Partial<SurveyConfig> | null | undefined;
  show(): void;
  close(): void;
  select(score: number): void;
  pending(): number;
}

/** Mounts a survey into `target`, or with null onto the page (modal, slide-in). Rejects with an
 * `Error` naming every bad field of an invalid config. */
export function mount(target: Element | null | undefined, config: SurveyConfig): Promise<Survey>;
/** The site's consent to storing, for surveys with `consent: "required"` (false deletes what was stored). */
export function consent(granted: boolean): Promise<void>;
/** A single-page app changed its address (after `history.pushState`): page rules and load triggers run again. */
export function navigated(): Promise<void>;
/** Forgets this visitor (id, page views, seen markers); unsent answers are kept. */
export function reset(): Promise<void>;

declare global {
  interface HTMLElementTagNameMap {
    "sondeo-survey": SondeoSurveyElement;
  }
  // Events bubble from the element through the document to the window.
  interface GlobalEventHandlersEventMap extends SondeoEventMap {}
}
