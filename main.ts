/**
 * CDKTF app entry (`cdktf.json` "app", `npm run synth`): load the policy and the catalog, build the stacks,
 * synthesize into cdktf.out. Same as `trace-health synth` with default options.
 */
import { main } from './src/cli/index';

main(['synth', ...process.argv.slice(2)]).then((code) => {
  process.exitCode = code;
});
