/**
 * Standalone fake Datadog API, for when the client is another process (terraform, the CLI by hand):
 *
 *   npx tsx __tests__/fake-datadog/main.ts [--port N] [--requests FILE]
 *
 * Listens on 127.0.0.1 only, prints its URL (`http://127.0.0.1:PORT`) as the first line of stdout, and runs
 * until SIGINT/SIGTERM. With `--requests FILE`, every recorded request (method, path, status) is written there
 * as JSON when it stops. Then, e.g.:
 *
 *   DD_HOST=$URL DD_API_KEY=fake DD_APP_KEY=fake terraform plan
 */
import { writeFileSync } from 'node:fs';
import { FakeDatadog } from './server';
import { terraformRoutes } from './routes/terraform';

async function run(argv: readonly string[]): Promise<void> {
  let port = 0;
  let requestsFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port' && argv[i + 1] !== undefined) port = Number(argv[++i]);
    else if (arg === '--requests' && argv[i + 1] !== undefined) requestsFile = argv[++i];
    else {
      process.stderr.write(`usage: main.ts [--port N] [--requests FILE] (unknown argument ${JSON.stringify(arg)})\n`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`--port must be 0..65535, got ${port}\n`);
    process.exit(2);
  }
  const dd = await FakeDatadog.start([terraformRoutes()], { port });
  process.stdout.write(`${dd.url}\n`);
  const stop = async () => {
    await dd.stop();
    if (requestsFile) {
      const summary = dd.requests.map((r) => ({ method: r.method, path: r.path, status: r.status }));
      writeFileSync(requestsFile, `${JSON.stringify(summary, null, 2)}\n`);
    }
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void run(process.argv.slice(2));
