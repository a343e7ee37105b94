/** Offline collection: span export files → trace assembly → detectors, one file at a time. */
import { Analysis, AnalyzeOptions, Collector } from './analyze';
import { listSpanFiles, readSpanFile } from './readers';

export interface FileProgress {
  readonly file: string;
  readonly index: number;
  readonly count: number;
}

export function collectFiles(
  inputs: readonly string[],
  options: AnalyzeOptions,
  opts: { cwd?: string; onFile?: (p: FileProgress) => void } = {},
): Analysis & { readonly files: readonly string[]; readonly peakTracesInFlight: number } {
  const files = listSpanFiles(inputs, opts.cwd);
  const collector = new Collector(options);
  files.forEach((file, index) => {
    opts.onFile?.({ file, index, count: files.length });
    readSpanFile(file, collector.sink, opts.cwd);
  });
  const analysis = collector.finish();
  return { ...analysis, files, peakTracesInFlight: collector.peakTracesInFlight };
}
