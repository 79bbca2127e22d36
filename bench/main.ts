import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { compareJson, compareSql, createCase, listCases, reportsCase, startCase, taskBody, type Target } from './cases';
import { benchConfig } from './config';
import { recreateDatabase, serverVersion } from './db';
import { liveHeapAfterFullGc } from './heap';
import { addedCases, addedVerdicts, renderAdded } from './new-cases';
import { fleetCases, fleetVerdicts, renderFleet } from './fleet-cases';
import { HAS_WRK, PACED_CONNECTIONS, runLoad, WRK_VERSION } from './load';
import { HAS_TASKSET, procUsage } from './procs';
import { type BenchResults, renderMarkdown, verdicts } from './report';
import { seedTasks, tableCounts } from './seed';
import { startBaseline, startServer, startSimulator, TOKEN } from './servers';

/**
 * npm run bench [-- --quick] [-- --no-build] [-- --tasks=N --small=N --runs=N --seconds=N]
 * Seeds its own MariaDB database, runs the service and a raw baseline as separate processes on
 * core 0, loads them from core 1, and writes bench/results/latest.md (+ .json).
 */

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ROOT = join(__dirname, '..');
const RESULTS = join(__dirname, 'results');

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const cfg = benchConfig(argv);
  const began = Date.now();
  if (!argv.includes('--no-build')) {
    log('npm run build');
    execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }
  if (!HAS_TASKSET) log('taskset not found: server and load generator are NOT pinned to separate cores');

  log(`database ${cfg.database}: drop, create, migrate`);
  await recreateDatabase(cfg.database);
  const migrator = await startServer(cfg, { DB_MIGRATIONS_RUN: 'true' });
  await migrator.stop();

  log(`seeding ${cfg.smallTasks.toLocaleString('en-US')} tasks (${cfg.tasksWithSubtasks} with ${cfg.channelsPerTask} running subtasks)`);
  const small = await seedTasks(cfg.database, 0, cfg.smallTasks, cfg.tasksWithSubtasks);
  log(`seeded in ${small.seconds.toFixed(1)} s (${small.statements} INSERT statements)`);

  if (cfg.onlyAdded) {
    // A narrower run: the added cases alone on the small data set; nothing is written to results/.
    const added = await addedCases(cfg);
    process.stdout.write(`${renderAdded(added)}\n`);
    const missed = addedVerdicts(added).filter((v) => !v.ok);
    log(`done in ${((Date.now() - began) / 60000).toFixed(1)} min (--only-added, results not written); ${missed.length} target(s) not met`);
    return;
  }

  if (cfg.onlyFleet) {
    // The schedule-window, conditional-list and bulk 配置完成 cases alone; nothing is written to results/.
    const fleet = await fleetCases(cfg);
    process.stdout.write(`${renderFleet(fleet)}\n`);
    const missed = fleetVerdicts(fleet).filter((v) => !v.ok);
    log(`done in ${((Date.now() - began) / 60000).toFixed(1)} min (--only-fleet, results not written); ${missed.length} target(s) not met`);
    return;
  }

  const server = await startServer(cfg);
  const baseline = await startBaseline(cfg);
  const targets: Target[] = [
    { name: 'ours', port: cfg.serverPort, pid: server.pid },
    { name: 'baseline', port: cfg.baselinePort, pid: baseline.pid },
  ];
  try {
    const smallResult = (await listCases(cfg, targets, [0], cfg.smallTasks))[0];

    log(`growing to ${cfg.largeTasks.toLocaleString('en-US')} tasks`);
    const large = await seedTasks(cfg.database, cfg.smallTasks, cfg.largeTasks, cfg.tasksWithSubtasks);
    log(`seeded in ${large.seconds.toFixed(1)} s (${large.statements} INSERT statements)`);
    const counts = await tableCounts(cfg.database);

    const offsets = [0, 1000, Math.min(100_000, Math.floor(cfg.largeTasks / 2))];
    const jsonCheck = await compareJson(cfg.database, targets, offsets);
    const sqlCheck = await compareSql(targets, offsets);
    const lists = await listCases(cfg, targets, offsets, cfg.largeTasks);
    await baseline.stop();

    const create = await createCase(cfg, targets[0]);
    const reports = await reportsCase(cfg, targets[0]);

    // Memory: the same mix four more times, the live heap after full GCs and RSS after each. The
    // first repeat may still grow to the working size; growth from the second to the last would be a leak.
    const repeat = async () => {
      await runLoad(cfg.loadCore, server.pid, {
        kind: 'http',
        url: `http://127.0.0.1:${cfg.serverPort}/tasks?offset=0&limit=10`,
        headers: { authorization: TOKEN },
        connections: cfg.connections,
        seconds: cfg.runSeconds,
      });
      await runLoad(cfg.loadCore, server.pid, {
        kind: 'http',
        url: `http://127.0.0.1:${cfg.serverPort}/tasks`,
        method: 'POST',
        headers: { authorization: TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify(taskBody(16, 2)),
        connections: cfg.createConnections,
        seconds: cfg.runSeconds,
      });
      await reportsCase(cfg, targets[0], 1);
      const heapMb = await liveHeapAfterFullGc(server.pid);
      return { rssMb: procUsage(server.pid).rssMb, heapMb };
    };
    const repeats = [];
    for (let i = 0; i < 4; i++) repeats.push(await repeat());
    const afterRunMb = procUsage(server.pid).rssMb;
    log(
      `server memory after repeats: ${repeats.map((r) => `RSS ${r.rssMb.toFixed(0)} MB / live heap ${r.heapMb.toFixed(1)} MB`).join(', ')}; end RSS ${afterRunMb.toFixed(0)} MB`,
    );
    await server.stop();

    const added = await addedCases(cfg);

    // The start case needs the service pointed at the ops simulator (the reconciler is off otherwise).
    const sim = await startSimulator(cfg);
    const dispatcher = await startServer(cfg, { OPS_BASE_URL: `http://127.0.0.1:${cfg.simPort}`, PUBLIC_BASE_URL: `http://127.0.0.1:${cfg.serverPort}` });
    let start;
    try {
      start = await startCase(cfg, { name: 'ours', port: cfg.serverPort, pid: dispatcher.pid });
    } finally {
      await dispatcher.stop();
      await sim.stop();
    }
    const fleet = await fleetCases(cfg);

    const cpu = cpus();
    const results: BenchResults = {
      date: new Date().toISOString(),
      quick: cfg.quick,
      machine: `${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${readFileSync('/proc/version', 'utf8').split(' ').slice(0, 3).join(' ')}`,
      database: `MariaDB ${await serverVersion()} on the same machine`,
      service: `${['node', ...cfg.serverNodeArgs, 'dist/main.js'].join(' ')} (${['NODE_ENV=production', 'LOG_LEVEL=silent', ...Object.entries(cfg.serverEnv).map(([k, v]) => `${k}=${v}`)].join(', ')})`,
      pinning: HAS_TASKSET
        ? `server and baseline: taskset -c ${cfg.serverCore}; load generator and ops simulator: taskset -c ${cfg.loadCore}`
        : 'taskset not found: NOT pinned',
      dataset: `${Object.entries(counts)
        .map(([t, n]) => `${t} ${n.toLocaleString('en-US')}`)
        .join(', ')} (before the create/start cases); 2 mtasks × 2 scenes per task, 0.5–2 KB XML per scene`,
      seed: `${(small.seconds + large.seconds).toFixed(0)} s (${small.statements + large.statements} multi-row INSERTs)`,
      jsonCheck,
      sqlCheck,
      small: smallResult,
      lists,
      create,
      reports,
      start,
      added,
      fleet,
      memory: { afterRunMb, repeats },
      runs: cfg.runs,
      runSeconds: cfg.runSeconds,
      connections: cfg.connections,
      fixedRateTool: HAS_WRK
        ? `${WRK_VERSION} with bench/wrk-paced.lua (C event loop, ${PACED_CONNECTIONS} connections, one schedule of evenly spaced sends, latency from each send; sends that could not start on time are counted as late)`
        : "evenly paced node:http requests (wrk is not installed: apt-get install wrk); latency from each scheduled send, so this pacer's own event-loop delays (~4–8 ms at p99 here) are counted in",
    };
    const md = `${renderMarkdown(results)}\n${renderAdded(added)}\n${renderFleet(fleet)}`;
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(
      join(RESULTS, 'latest.md'),
      `${md}\n_Total bench time ${((Date.now() - began) / 60000).toFixed(1)} min. Reproduce: \`npm run bench\` (or \`npm run bench -- --quick\`)._\n`,
    );
    writeFileSync(join(RESULTS, 'latest.json'), JSON.stringify(results, null, 2));
    process.stdout.write(`${md}\n`);
    const missed = [...verdicts(results), ...addedVerdicts(added), ...fleetVerdicts(fleet)].filter((v) => !v.ok);
    log(
      `done in ${((Date.now() - began) / 60000).toFixed(1)} min; ${missed.length} target(s) not met${missed.length ? `: ${missed.map((v) => v.target).join('; ')}` : ''}`,
    );
  } finally {
    await baseline.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
