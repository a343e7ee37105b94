/** `trace-health policy …`: look at the policy as the generator sees it. */
import { Command } from 'commander';
import * as path from 'node:path';
import { loadCatalog } from '../catalog';
import { readIntegrationNames } from '../datadog/integration-names';
import {
  DEFAULT_POLICY_FILE,
  explainService,
  formatExplain,
  loadPolicy,
  policyCatalogArg,
  resolvePolicy,
} from '../policy';
import type { CliContext } from './index';

export function policyCommand(program: Command, ctx: CliContext): void {
  const policy = program.command('policy').description('Inspect trace-health.yaml as resolved against the catalog.');
  policy
    .command('explain')
    .description('Show every resolved setting of SERVICE and the layer of the policy that set it.')
    .argument('<service>', 'catalog service name')
    .option('-c, --config <file>', 'policy file', `./${DEFAULT_POLICY_FILE}`)
    .option('--json', 'print JSON instead of a table')
    .action((service: string, opts: { config: string; json?: boolean }) => {
      const cwd = ctx.io.cwd;
      const doc = loadPolicy(opts.config, { cwd });
      const catalogArg = policyCatalogArg(doc, cwd);
      const catalog = loadCatalog(catalogArg, { cwd });
      // The integration names a snapshot recorded (`catalog pull --integrations`), as synth reads them.
      const integrationNames = readIntegrationNames(path.resolve(cwd, catalogArg), catalogArg);
      const resolved = resolvePolicy(doc, catalog, integrationNames ? { integrationNames } : {});
      const explanation = explainService(doc, resolved, service);
      if (opts.json) {
        const { file, service: servicePolicy, backend, rows } = explanation;
        // The service's routing (routes per handle with their sources, dropped contacts) is in `service.routing`.
        ctx.io.out(JSON.stringify({ file, service: servicePolicy, backend, rows }, null, 2));
      } else {
        ctx.io.out(formatExplain(explanation));
      }
    });
}
