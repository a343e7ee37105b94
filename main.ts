/**
 * CDKTF app entry (`cdktf.json` "app", `npm run synth`): load the policy and the catalog, build the stacks,
 * synthesize into cdktf.out. Same as `trace-health synth` with default options. When cdktf-cli runs the app it
 * passes its output folder in CDKTF_OUTDIR (`cdktf synth --output DIR`); honour it.
 */
import { main } from './src/cli/index';

const outdir = process.env.CDKTF_OUTDIR;
const args = ['synth', ...(outdir ? ['--out', outdir] : []), ...process.argv.slice(2)];
main(args).then((code) => {
  process.exitCode = code;
});
