import { join } from 'node:path';

/**
 * Sizes and durations of a benchmark run. `--quick` is a smoke run (about a minute): a tenth of
 * the data, one run per case, short windows. Everything else is the full run, at the sizes the README's
 * performance targets are stated for.
 */
export interface BenchConfig {
  quick: boolean;
  database: string;
  /** Tasks seeded before the first (small) list measurement, then grown to `largeTasks`. */
  smallTasks: number;
  largeTasks: number;
  /** Tasks that get 4 running subtasks each (the newest ones, so the first pages show run info). */
  tasksWithSubtasks: number;
  channelsPerTask: number;
  /** Measured runs per case; the table shows their median and min–max. */
  runs: number;
  runSeconds: number;
  warmupSeconds: number;
  /** Connections of the peak-throughput load (closed loop). */
  connections: number;
  /** Connections of the create load (each create is a transaction; fewer keeps lock queues short). */
  createConnections: number;
  reportSenders: number;
  reportBatch: number;
  startSubtasks: number;
  /** Report interval of the ops simulator in the start case. */
  simReportIntervalMs: number;
  serverPort: number;
  baselinePort: number;
  simPort: number;
  serverCore: string;
  loadCore: string;
  /** The compiled service (`npm run build`); `--dist=DIR` points elsewhere. */
  distDir: string;
  /** Node/V8 flags for the service (`--node-args="--max-semi-space-size=64"`), none by default. */
  serverNodeArgs: string[];
  /** Extra environment for the service (`--server-env="GC_HEAP_GROWING_PERCENT=0"`), none by default. */
  serverEnv: Record<string, string>;
  /** `--profile-reports`: one more heartbeat reports run on a service started with --cpu-prof (results/reports-profile.txt). */
  profileReports: boolean;
  /** `--only-added`: seed, then only the edge, journal, stream and recovery cases; prints them, writes no results. */
  onlyAdded: boolean;
  /** The schedule-window case (fleet-cases.ts): tasks × channels started before one window, its length in minutes. */
  fleetTasks: number;
  fleetChannels: number;
  fleetWindowMinutes: number;
  /** `--only-fleet`: seed, then only the fleet cases (fleet-cases.ts); prints them, writes no results. */
  onlyFleet: boolean;
}

export function benchConfig(argv: readonly string[]): BenchConfig {
  const quick = argv.includes('--quick');
  /** The text after `--flag=`, if given. */
  const value = (flag: string): string | undefined => argv.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);
  const num = (flag: string, fallback: number): number => {
    const given = value(flag);
    return given !== undefined ? Number(given) : fallback;
  };
  /** Space-separated words after `--flag=`. */
  const words = (flag: string): string[] => (value(flag) ?? '').split(' ').filter(Boolean);
  return {
    quick,
    database: 'tm_bench',
    smallTasks: num('small', quick ? 2_000 : 20_000),
    largeTasks: num('tasks', quick ? 20_000 : 200_000),
    tasksWithSubtasks: 2_500,
    channelsPerTask: 4,
    runs: num('runs', quick ? 1 : 5),
    runSeconds: num('seconds', quick ? 3 : 8),
    warmupSeconds: quick ? 1 : 3,
    connections: 16,
    createConnections: 4,
    reportSenders: 4,
    reportBatch: 500,
    startSubtasks: num('start-subtasks', 1_000),
    simReportIntervalMs: 1_000,
    serverPort: 3917,
    baselinePort: 3918,
    simPort: 3919,
    serverCore: '0',
    loadCore: '1',
    distDir: value('dist') ?? join(__dirname, '..', 'dist'),
    serverNodeArgs: words('node-args'),
    profileReports: argv.includes('--profile-reports'),
    onlyAdded: argv.includes('--only-added'),
    fleetTasks: num('fleet-tasks', 100),
    fleetChannels: 100,
    fleetWindowMinutes: 2,
    onlyFleet: argv.includes('--only-fleet'),
    serverEnv: Object.fromEntries(
      words('server-env').map((pair) => {
        const eq = pair.indexOf('=');
        if (eq < 1) throw new Error(`--server-env wants NAME=value pairs separated by spaces, got "${pair}"`);
        return [pair.slice(0, eq), pair.slice(eq + 1)];
      }),
    ),
  };
}
