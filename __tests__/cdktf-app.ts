/**
 * A cdktf App for construct tests that leaves nothing behind. `Testing.app()` creates a `cdktf.outdir.*` folder in
 * the system temp folder for every app and never removes it, although `Testing.synth` never writes there; the
 * folder is removed at once (an App only needs it to `synth()` to disk, which these tests do not do).
 */
import { rmSync } from 'node:fs';
import { App, Testing } from 'cdktf';

export function testApp(): App {
  const app = Testing.app();
  rmSync(app.outdir, { recursive: true, force: true });
  return app;
}
