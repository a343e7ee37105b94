/**
 * Writing files and folders so that a reader sees the old content or the new one, never half of one: a file through
 * a temporary sibling and a rename; a folder built beside its target and swapped in by two renames (put back if
 * the second fails). Every command that writes output uses these.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Temp file next to the target (same filesystem, so rename is atomic), then rename over it. */
export function writeFileAtomic(file: string, text: string): void {
  const dir = path.dirname(path.resolve(file));
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Replace the folder `outDir` with the finished folder `tmp` (a sibling: renames do not cross file systems): the old
 * one moves aside, the new one takes its place (the old one is put back if that fails), then the old one goes.
 */
export function replaceFolder(tmp: string, outDir: string): void {
  const old = `${tmp}.old`;
  const had = fs.existsSync(outDir);
  if (had) fs.renameSync(outDir, old);
  try {
    fs.renameSync(tmp, outDir);
  } catch (e) {
    if (had) fs.renameSync(old, outDir);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}
