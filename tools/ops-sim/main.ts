import { parseArgs } from 'node:util';
import { OpsSimulator, type OpsSimOptions } from './ops-simulator';

/**
 * Runs the ops service simulator standalone:
 *   node -r ts-node/register/transpile-only tools/ops-sim/main.ts --port 4000 --error-rate 0.1
 * Every flag falls back to an OPS_SIM_* environment variable.
 */

export class CliError extends Error {}

const USAGE = `Usage: ops-sim [options]
  --port <n>                 OPS_SIM_PORT (default 4000)
  --latency-ms <n>           OPS_SIM_LATENCY_MS (default 0)
  --error-rate <0..1>        OPS_SIM_ERROR_RATE (default 0)
  --crash-probability <0..1> OPS_SIM_CRASH_PROBABILITY (default 0)
  --report-interval-ms <n>   OPS_SIM_REPORT_INTERVAL_MS (default 1000)
  --report-url <url>         OPS_SIM_REPORT_URL (default: each subtask's report_url)
  --report-token <token>     OPS_SIM_REPORT_TOKEN (default: INTERNAL_TOKEN)
  --complete-after-ms <n>    OPS_SIM_COMPLETE_AFTER_MS (default: never complete)
  --report-batch-size <n>    OPS_SIM_REPORT_BATCH_SIZE (default 500)`;

type Kind = 'int' | 'fraction' | 'url' | 'string';

/** flag -> [environment fallback, option, kind, minimum for ints] */
const FLAGS = {
  port: ['OPS_SIM_PORT', 'port', 'int', 0],
  'latency-ms': ['OPS_SIM_LATENCY_MS', 'latencyMs', 'int', 0],
  'error-rate': ['OPS_SIM_ERROR_RATE', 'errorRate', 'fraction', 0],
  'crash-probability': ['OPS_SIM_CRASH_PROBABILITY', 'crashProbability', 'fraction', 0],
  'report-interval-ms': ['OPS_SIM_REPORT_INTERVAL_MS', 'reportIntervalMs', 'int', 1],
  'report-url': ['OPS_SIM_REPORT_URL', 'reportUrl', 'url', 0],
  'report-token': ['OPS_SIM_REPORT_TOKEN', 'reportToken', 'string', 0],
  'complete-after-ms': ['OPS_SIM_COMPLETE_AFTER_MS', 'completeAfterMs', 'int', 0],
  'report-batch-size': ['OPS_SIM_REPORT_BATCH_SIZE', 'reportBatchSize', 'int', 1],
} as const satisfies Record<string, readonly [string, keyof OpsSimOptions, Kind, number]>;

type Flag = keyof typeof FLAGS;

/** Turns flags and environment into simulator options; throws CliError naming the bad flag/variable. */
export function parseCliOptions(argv: string[], env: NodeJS.ProcessEnv): Partial<OpsSimOptions> | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({
      args: argv,
      options: {
        help: { type: 'boolean', short: 'h' },
        ...Object.fromEntries(Object.keys(FLAGS).map((flag) => [flag, { type: 'string' as const }])),
      },
      strict: true,
      allowPositionals: false,
    });
    values = parsed.values;
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (values.help) return 'help';

  const defaults: Record<string, string | undefined> = { OPS_SIM_PORT: '4000', OPS_SIM_REPORT_TOKEN: env.INTERNAL_TOKEN };
  const options: Record<string, string | number> = {};
  for (const [flag, [envName, option, kind, min]] of Object.entries(FLAGS) as [Flag, (typeof FLAGS)[Flag]][]) {
    const fromFlag = values[flag];
    const raw = typeof fromFlag === 'string' ? fromFlag : (env[envName] ?? defaults[envName]);
    if (raw === undefined || raw === '') continue;
    const source = typeof fromFlag === 'string' ? `--${flag}` : envName;
    options[option] = convert(source, raw, kind, min, option === 'port' ? 65535 : Number.MAX_SAFE_INTEGER);
  }
  return options;
}

function convert(source: string, raw: string, kind: Kind, min: number, max: number): string | number {
  const bad = (expected: string) => new CliError(`${source} must be ${expected}, got ${JSON.stringify(raw)}`);
  switch (kind) {
    case 'string':
      return raw;
    case 'url':
      if (!/^https?:\/\//i.test(raw) || !URL.canParse(raw)) throw bad('an http(s) URL');
      return raw;
    case 'fraction': {
      const value = strictNumber(raw);
      if (value === null || value < 0 || value > 1) throw bad('a number between 0 and 1');
      return value;
    }
    case 'int': {
      const value = strictNumber(raw);
      if (value === null || !Number.isInteger(value) || value < min || value > max) throw bad(`an integer between ${min} and ${max}`);
      return value;
    }
  }
}

/** Number('') is 0 and Number('0x10') is 16; accept only plain decimal notation. */
function strictNumber(raw: string): number | null {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : null;
}

async function main(): Promise<void> {
  let options: Partial<OpsSimOptions> | 'help';
  try {
    options = parseCliOptions(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`ops-sim: ${(err as Error).message}\n${USAGE}`);
    process.exit(1);
  }
  if (options === 'help') {
    console.log(USAGE);
    return;
  }

  let sim: OpsSimulator;
  try {
    sim = await OpsSimulator.start(options);
  } catch (err) {
    console.error(`ops-sim: cannot start: ${(err as Error).message}`);
    process.exit(1);
  }
  console.log(`ops simulator listening on ${sim.url}`);

  const shutdown = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) void main();
