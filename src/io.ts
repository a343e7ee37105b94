/**
 * Output seams for commands and the long-running work below them (the collector's live and serve modes), so tests
 * capture what is printed without spawning a process. Defined here, below src/cli, so lower layers never import
 * the command layer (DESIGN §3); `src/cli/io.ts` provides the process and in-memory implementations.
 */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress bars go there). */
  readonly isTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}
