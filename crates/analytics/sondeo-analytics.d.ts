// Types for dist/sondeo-analytics.js: the Scorer, which scores responses in the browser. The
// README's "Scoring in the browser" is the reference; tests/e2e/types.spec.mjs checks every
// figure the Scorer returns against these types, field by field.

/** The question kinds (the widget's `Kind`; repeated here so that a worker, with no DOM types, can use these). */
export type Kind = "nps" | "enps" | "csat" | "ces" | "rating" | "yesno";
export type Group = "detractor" | "passive" | "promoter" | "low" | "neutral" | "high";

/** Starts the module (fetches its wasm beside this file, or from what is given). */
export default function init(input?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module } | RequestInfo | URL | BufferSource): Promise<unknown>;
/** Starts the module from bytes already at hand (a worker that was sent them). */
export function initSync(module: { module: BufferSource | WebAssembly.Module } | BufferSource | WebAssembly.Module): unknown;

/** A row that was not counted: its line in the file, the field at fault and why. */
export interface RejectedRow {
  line: number;
  field: string;
  error: string;
}

/** What was refused: how many, and the first 100. */
export interface Rejected {
  count: number;
  first: RejectedRow[];
}

export interface ImportReport {
  accepted: number;
  skippedPartials: number;
  /** Rows whose text was not UTF-8, read as Windows-1252 (what Excel's plain "CSV" saves on Windows). */
  windows1252: number;
  /** Line ends read (a progress bar's denominator for the next file). */
  newlines?: number;
  rejected: Rejected;
}

/** Where the bytes come from: a File or Blob, a stream of bytes, bytes, or several of them. */
export type Source = Blob | ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer | Array<Blob | Uint8Array | ArrayBuffer>;

export interface ImportOptions {
  format?: "csv" | "ndjson";
  /** Leave out responses with `complete: false`. */
  skipPartials?: boolean;
  /** Count each response id once, as its latest version (as `upsert` does). */
  byId?: boolean;
  onProgress?: (progress: { bytes: number }) => void;
}

/** Which responses: a period, a survey, a kind, one segment. Dates as "2026-11-01" (`to` inclusive) or RFC 3339. */
export interface Filter {
  from?: string;
  to?: string;
  survey?: string;
  kind?: Kind;
  /** A field (`surveyId`, `kind`, `locale`) or `metadata.<key>`. */
  by?: string;
  /** One value of `by` ("(none)": answers without one). */
  value?: string;
}

export interface ListOptions extends Filter {
  group?: Group;
  reason?: string;
  /** Comments containing it, case folded. */
  text?: string;
  withComment?: boolean;
  /** At most this many (100 by default, up to 10,000). */
  limit?: number;
}

/** One response as `responses()` lists it, newest first. */
export interface ListedResponse {
  id: string;
  kind: Kind;
  score: number;
  group: Group | null;
  complete: boolean;
  comment: string | null;
  reasons: string[];
  metadata: Record<string, string>;
  surveyId: string | null;
  locale: string | null;
  /** Who answered (`user.id`), as the site named them; null when anonymous or not given. */
  user: string | null;
  time: string | null;
}

export interface SummaryOptions extends Filter {
  period?: "day" | "week" | "month";
  /**
   * Two period labels ("2026-W46") when `period` is given, else two values of `by`; or two
   * dates: the view (which must have `from` or `to`) against the same filters over them
   * (`a` is then "<from> to <to>" of those dates, `b` the view's own).
   */
  compare?: { a: string; b: string } | { from: string; to: string };
  /** eNPS figures resting on fewer answers are suppressed (default 5). */
  minTeamSize?: number;
}

/** A difference between two groups of answers, its 95% interval, and whether it is real (the interval excludes 0). */
export interface Change {
  difference: number;
  low95: number;
  high95: number;
  significant: boolean;
}

/** A difference between two periods or segments, and whether either rests on under 30 answers. */
export interface Difference extends Change {
  smallSample: boolean;
}

interface Figures {
  n: number;
  /** NPS −100…100; CSAT and yes/no: % in the best group; CES and rating: the mean. */
  score: number;
  /** Under 30 answers. */
  smallSample: boolean;
  /** A segment's: how far it moves the total (the total minus the total without it). */
  effect?: number;
  /** A segment's: it against the other answers, weighed with the field's other segments. */
  vsRest?: Difference & { pValue: number };
}

/** NPS and eNPS. */
export interface NpsFigures extends Figures {
  promoters: number;
  passives: number;
  detractors: number;
  low95: number;
  high95: number;
  margin95: number;
  groups: { detractor: number; passive: number; promoter: number };
}

/** CSAT and yes/no (`score`: % of the best group). */
export interface ShareFigures extends Figures {
  mean: number;
  low95: number;
  high95: number;
  groups: { low: number; neutral: number; high: number };
}

/** CES and rating (`score`: the mean; `agree`: % in the best group). */
export interface MeanFigures extends Figures {
  agree: number;
  /** Null on a single answer: no interval. */
  low95: number | null;
  high95: number | null;
  margin95: number | null;
  groups: { low: number; neutral: number; high: number };
}

/** An eNPS figure on too few answers to keep a team anonymous. */
export interface Suppressed {
  suppressed: true;
  minimum: number;
}

/** Each kind's figures; a kind with no answers is absent. */
export interface KindFigures {
  nps?: NpsFigures;
  enps?: NpsFigures | Suppressed;
  csat?: ShareFigures;
  yesno?: ShareFigures;
  ces?: MeanFigures;
  rating?: MeanFigures;
}

export interface Driver {
  kind: Kind;
  reason: string;
  count: number;
  scoreCiting: number;
  scoreNotCiting: number | null;
  shareOfWorstGroup: number;
  significant: boolean;
}

export interface Term {
  term: string;
  count: number;
}

/** One kind's figures, or an eNPS figure suppressed on too few answers. */
export type AnyFigures = NpsFigures | ShareFigures | MeanFigures | Suppressed;

/** One question of a survey of several. */
export interface QuestionFigures {
  key: string;
  kind: Kind;
  figures: AnyFigures | null;
  segments?: Record<string, AnyFigures>;
  /** The segment field has more values than are kept. */
  segmentsTruncated?: true;
  /** This question's figures when another question's answer was in its worst group and in its best, keyed by
   * that question's group names (`detractor` and `promoter` for NPS; `low` and `high` otherwise); null where
   * nobody answered so. */
  by: Array<{
    question: string;
    questionKind: Kind;
    groups: { [group in Group]?: AnyFigures | null };
    difference: Difference | null;
  }>;
}

export interface Summary {
  rejected: Rejected;
  overall: KindFigures;
  segments?: Record<string, KindFigures>;
  periods?: Record<string, KindFigures>;
  compare?: { a: string; b: string; changes: { [kind in Exclude<Kind, "enps">]?: Difference } & { enps?: Difference | Suppressed } };
  drivers: Driver[];
  themes: { negative: Term[]; neutral: Term[]; positive: Term[] };
  /** Per survey id, in the order asked. */
  questions?: Record<string, QuestionFigures[]>;
  /** Answers whose date does not read: in the totals, not in a period. */
  undated?: number;
  /** Says (to show as is) that the segment field has more values, or the answers more fields, than are kept. */
  segmentsTruncated?: string;
}

/** A rate in %, with its 95% interval (Wilson; revenue: a normal interval) and how many it rests on. */
export interface Rate {
  value: number;
  low95: number | null;
  high95: number | null;
  n?: number;
}

type Outcome = "retained" | "churned" | "repurchased" | "crossSell";

export interface Outcomes {
  respondents: number;
  matched: number;
  unmatchedOutcomes: number;
  respondentsWithoutOutcome: number;
  rejected: Rejected;
  kinds: {
    [kind in Kind]?: {
      groups: Record<string, { n: number } & { [outcome in Outcome | "revenue"]: Rate | null }>;
      /** The best group minus the worst (Newcombe's interval; Welch's for revenue). */
      difference: { best: string; worst: string } & { [outcome in Outcome | "revenue"]: Change | null };
    };
  };
}

export interface Rates {
  rows: Array<{
    surveyId: string;
    kind: Kind;
    segment?: string;
    shown: number;
    answered: number;
    completed: number;
    /** Answered (a score chosen) ÷ shown. */
    responseRate: Rate | null;
    /** Submitted ÷ shown. */
    completionRate: Rate | null;
  }>;
  rejected: Rejected;
}

export interface Participation {
  teams: Array<{ team: string; invited: number; answered: number; rate: Rate | null; moreAnswersThanInvited: boolean }>;
  rejected: Rejected;
}

export interface InflationRow {
  segment: string;
  n: number;
  score: number;
  /** Answers in the best group, and those of them with a short comment or none. */
  top: number;
  terse: number;
  share: Rate | null;
  againstRest: Change | null;
  flagged: boolean;
  outcome?: { name: Outcome; rate: Rate | null; againstRest: Change | null; flagged: boolean };
}

export class Scorer {
  constructor();
  /** Counts a response (the payload). False when it was refused (counted in `summary().rejected`). */
  add(response: object): boolean;
  /** Counts a response as the latest version of its id: a partial never replaces a complete one. */
  upsert(response: object): boolean;
  /** How many of an array were accepted. */
  addMany(responses: object[]): number;
  import(source: Source, options?: ImportOptions): Promise<ImportReport>;
  /** Adds another scorer's figures; responses both count by id are counted once, in their current version. Throws for the scorer itself. */
  merge(other: Scorer): void;
  /** The exact state as JSON, with its format `version` (and the responses counted by id). */
  state(): object;
  static fromState(state: object): Scorer;
  summary(options?: SummaryOptions): Summary;
  /** Newest first; employees' (eNPS) answers without team, metadata or time, and none of them where the scope holds fewer employees than `minTeamSize` (5). */
  responses(options?: ListOptions & { minTeamSize?: number }): ListedResponse[];
  /** The same responses as a CSV file with the export's columns. */
  responsesCsv(options?: Omit<ListOptions, "limit"> & { minTeamSize?: number }): string;
  /** With options (those of `responses()`), of the responses that pass them. */
  counted(options?: Omit<ListOptions, "limit"> & { minTeamSize?: number }): { responses: number; partial: number };
  importOutcomes(source: Source, options?: { format?: "csv" | "ndjson" }): Promise<ImportReport>;
  outcomes(): Outcomes;
  /** A display record (`impressions: true`); false when it was known already. */
  addImpression(record: object): boolean;
  importImpressions(source: Source, options?: { onProgress?: (progress: { bytes: number }) => void }): Promise<ImportReport>;
  /** `from`, `to` keep the prompts shown in those dates (a record without `shownAt` is then left out); `survey`, `kind` one survey's or kind's. */
  rates(options?: Omit<Filter, "value">): Rates;
  /** `invited`: a CSV text with the columns team and invited; `from`, `to` and `survey` count one pulse's answers. */
  participation(invited: string, options?: Pick<Filter, "from" | "to" | "survey">): Participation;
  /** Per value of `by` (default the agent); with `value`, that segment's row alone (still weighed against the others); `from`, `to` and `survey` narrow it as the figures; `kind: "enps"` throws (employees' answers). */
  inflation(options?: Filter & { by?: string; kind?: Kind; shortBelow?: number; outcome?: Outcome }): InflationRow[];
  free(): void;
}

// What the dashboard's parallel import uses to cut a file between workers.
export function fileFormat(head: Uint8Array): "csv" | "ndjson" | "utf16" | "";
export function csvSeparator(head: Uint8Array, complete: boolean): number;
export function csvHeaderEnd(head: Uint8Array, complete: boolean): number;
export function lineEnds(bytes: Uint8Array, csv: boolean, afterCr: boolean): number;
export function periodLabel(period: "day" | "week" | "month", unixMs: number): string;
export function periodAfter(period: "day" | "week" | "month", label: string): string | undefined;
export function refusedRecords(): { maxBytes: number; tooLong: string; tooLongRow: string; unclosedQuote: string; tooLongLine: string };
/** A text without the invisible characters that could disguise it. */
export function shownText(text: string): string;
export class RowEnds {
  constructor(csv: boolean, separator: number);
  feed(chunk: Uint8Array): void;
  readonly last: number;
  readonly first: number;
  watchFirst(): void;
  stopWatching(): void;
  forget(n: number): void;
  readonly openBytes: number;
  readonly inOpenQuote: boolean;
  free(): void;
}
