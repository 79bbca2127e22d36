import { version as autocannonVersion } from 'autocannon/package.json';
import type { CreateResult, JsonCheck, ListResult, ReportsResult, StartResult } from './cases';
import { LIGHT_RATE } from './cases';
import type { AddedResults } from './new-cases';
import type { FleetResults } from './fleet-cases';

export interface BenchResults {
  date: string;
  quick: boolean;
  machine: string;
  database: string;
  pinning: string;
  /** How the service was started. */
  service: string;
  dataset: string;
  seed: string;
  jsonCheck: JsonCheck[];
  sqlCheck: { identical: boolean; offsets: number[]; statements: string[] };
  small: ListResult;
  lists: ListResult[];
  create: CreateResult;
  reports: ReportsResult;
  start: StartResult;
  /** The edge, journal, stream and recovery cases (new-cases.ts). */
  added: AddedResults;
  /** The schedule-window, conditional-list and bulk 配置完成 cases (fleet-cases.ts). */
  fleet: FleetResults;
  memory: { afterRunMb: number; repeats: { rssMb: number; heapMb: number }[] };
  runs: number;
  runSeconds: number;
  connections: number;
  /** What paced the fixed-rate loads (wrk when installed). */
  fixedRateTool: string;
}

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const mark = (ok: boolean) => (ok ? '**met**' : '**NOT met**');

export interface Verdict {
  target: string;
  measured: string;
  ok: boolean;
}

export function verdicts(r: BenchResults): Verdict[] {
  const at = (o: number) => r.lists.find((l) => l.offset === o)!;
  const l0 = at(0);
  const deep = at(Math.max(...r.lists.map((l) => l.offset)));
  const ratio = l0.ours.rps / l0.baseline.rps;
  const tail = l0.oursHalf.p99 / l0.oursHalf.p50;
  const deepRatio = deep.oursLight.p50 / l0.oursLight.p50;
  // A fast deep page counts only if it is the right page.
  const deepPageRight = r.jsonCheck.find((j) => j.offset === deep.offset)?.plainOffsetPage === true;
  const growth = l0.oursLight.p50 / r.small.oursLight.p50;
  const creates = r.create;
  const perCreate = creates.statements.length;
  const perRowSelects = creates.statements.filter((s) => /^\s*SELECT/i.test(s)).length;
  const second = r.memory.repeats[1];
  const last = r.memory.repeats[r.memory.repeats.length - 1];
  const growthMb = last.rssMb - second.rssMb;
  const heapGrowthMb = last.heapMb - second.heapMb;
  const signed = (mb: number) => `${mb >= 0 ? '+' : ''}${f1(mb)} MB`;
  return [
    {
      target: 'list offset 0: ≥ 70% of baseline throughput',
      measured: `${f0(l0.ours.rps)} / ${f0(l0.baseline.rps)} req/s = ${(ratio * 100).toFixed(0)}%`,
      ok: ratio >= 0.7,
    },
    {
      target: 'list offset 0: p99 ≤ 3× p50 at 50% of peak',
      measured: `p50 ${f1(l0.oursHalf.p50)} ms, p99 ${f1(l0.oursHalf.p99)} ms (${f1(tail)}×) at ${f0(l0.ours.rps / 2)} req/s (median of ${l0.ours.runs} runs, ${l0.oursHalf.lateSends ?? 0} late send${l0.oursHalf.lateSends === 1 ? '' : 's'}); baseline at half its peak: ${f1(l0.baselineHalf.p50)} / ${f1(l0.baselineHalf.p99)} ms (${f1(l0.baselineHalf.p99 / l0.baselineHalf.p50)}×); p99 of each run: ours ${l0.oursHalfRuns.map((m) => f1(m.p99)).join(', ')} ms, baseline ${l0.baselineHalfRuns.map((m) => f1(m.p99)).join(', ')} ms; ours' GC in each run: scavenge pauses ${l0.oursHalfGc.map((g) => f1(g.minorMsPerSecond)).join(', ')} ms/s, mark-compacts ${l0.oursHalfGc.map((g) => g.majorCount).join(', ')}`,
      ok: tail <= 3,
    },
    {
      target: `list: p50 at offset ${deep.offset.toLocaleString('en-US')} ≤ 3× p50 at offset 0`,
      measured: `${f1(deep.oursLight.p50)} / ${f1(l0.oursLight.p50)} ms = ${f2(deepRatio)}× (at ${LIGHT_RATE} req/s); same page as plain OFFSET: ${deepPageRight ? 'yes' : 'NO'}`,
      ok: deepRatio <= 3 && deepPageRight,
    },
    {
      target: `list offset 0: p50 at ${r.lists[0].size.toLocaleString('en-US')} vs ${r.small.size.toLocaleString('en-US')} tasks ≤ 1.3×`,
      measured: `${f1(l0.oursLight.p50)} / ${f1(r.small.oursLight.p50)} ms = ${f2(growth)}× (at ${LIGHT_RATE} req/s)`,
      ok: growth <= 1.3,
    },
    {
      target: 'POST /tasks (16 channels): one transaction, multi-row inserts, no per-row SELECTs',
      measured: `${perCreate} statements per create (${perRowSelects} SELECT), ${f0(creates.summary.rps)} tasks/s`,
      ok: perRowSelects <= 1 && creates.statements.filter((s) => /^\s*START TRANSACTION|^\s*BEGIN/i.test(s)).length === 1,
    },
    {
      target: 'reports: ≥ 20,000 applied/s, p99 ≤ 250 ms per batch of 500, no deadlock errors (4 senders)',
      measured: `${f0(r.reports.reportsPerSecond)}/s, p99 ${f1(r.reports.summary.p99)} ms, ${r.reports.non2xx} failed batches, ${r.reports.deadlocks} InnoDB deadlocks (retried)`,
      ok: r.reports.reportsPerSecond >= 20_000 && r.reports.summary.p99 <= 250 && r.reports.non2xx === 0,
    },
    {
      target: `start of ${r.start.subtasks.toLocaleString('en-US')} subtasks: all running ≤ 10 s`,
      measured:
        r.start.allRunningMs === null
          ? `only ${r.start.running} running after 120 s`
          : `${f1(r.start.allRunningMs / 1000)} s (${f0(r.start.dispatchesPerSecond!)} dispatches/s)`,
      ok: r.start.allRunningMs !== null && r.start.allRunningMs <= 10_000,
    },
    {
      target: 'server RSS after the whole run ≤ 300 MB, no growth across two repeated runs',
      measured: `${f0(r.memory.afterRunMb)} MB; after each of ${r.memory.repeats.length} repeats of list + create + reports, RSS (live heap after full GCs): ${r.memory.repeats.map((m) => `${f0(m.rssMb)} MB (${f1(m.heapMb)})`).join(' → ')}; repeat 2 → ${r.memory.repeats.length}: RSS ${signed(growthMb)}, live heap ${signed(heapGrowthMb)}`,
      ok: r.memory.afterRunMb <= 300 && growthMb <= Math.max(10, second.rssMb * 0.05) && heapGrowthMb <= Math.max(2, second.heapMb * 0.05),
    },
  ];
}

function listRow(label: string, l: ListResult, small = false): string[] {
  const o = l.ours;
  const b = l.baseline;
  return [
    `| ${label}${small ? ` (${l.size.toLocaleString('en-US')} tasks)` : ''} | ${f0(o.rps)} (${f0(o.rpsMin)}–${f0(o.rpsMax)}) | ${f0(b.rps)} (${f0(b.rpsMin)}–${f0(b.rpsMax)}) | **${f2(o.rps / b.rps)}** | ${f1(o.p50)} / ${f1(o.p99)} | ${f1(b.p50)} / ${f1(b.p99)} | ${f1(l.oursHalf.p50)} / ${f1(l.oursHalf.p99)} | ${f1(l.baselineHalf.p50)} / ${f1(l.baselineHalf.p99)} | ${f1(l.oursLight.p50)} / ${f1(l.oursLight.p99)} | ${f0(o.rssMb)} | ${f0(o.cpuPercent)} |`,
  ];
}

export function renderMarkdown(r: BenchResults): string {
  const lines: string[] = [];
  lines.push(`# Benchmark results${r.quick ? ' (quick smoke run — not for comparison)' : ''}`, '');
  lines.push(`- date: ${r.date}`);
  lines.push(`- machine: ${r.machine}`);
  lines.push(`- database: ${r.database}`);
  lines.push(`- service: ${r.service}`);
  lines.push(`- pinning: ${r.pinning}; database during the fixed-rate runs: ${r.lists[0]?.fixedRateDatabase ?? '—'}`);
  lines.push(
    `- load tool: autocannon ${autocannonVersion} (closed loop, ${r.connections} connections) for peak throughput; fixed rates: ${r.fixedRateTool}; reports: 4 node:http keep-alive senders`,
  );
  lines.push(`- dataset: ${r.dataset}; seeded in ${r.seed}`);
  lines.push(
    `- method: median of ${r.runs} runs of ${r.runSeconds} s each after a warm-up (peak runs alternate ours and baseline; fixed-rate runs go back to back per server after a 10 s warm-up; the server not under load is frozen with SIGSTOP meanwhile); ratio = ours / baseline from the same run set`,
  );
  lines.push(
    `- same JSON as the baseline: ${r.jsonCheck.map((j) => `offset ${j.offset} ${j.identical ? 'identical' : 'DIFFERENT'} (${f0(j.bytes)} B)`).join(', ')}`,
  );
  lines.push(
    `- same page as a plain \`LIMIT 10 OFFSET n\` query: ${r.jsonCheck.map((j) => `offset ${j.offset} ${j.plainOffsetPage ? 'yes' : 'NO'}`).join(', ')}`,
  );
  lines.push(
    `- same SQL as the baseline (general log, one request at each offset: ${r.sqlCheck.offsets.join(', ')}): ${r.sqlCheck.identical ? 'yes' : 'NO'}, ${r.sqlCheck.statements.length} statements at offset ${r.sqlCheck.offsets[0]}`,
  );
  lines.push('');
  lines.push('## GET /tasks?limit=10 (nested mtasks → scenes, derived status)', '');
  lines.push(
    `| case | ours req/s (min–max) | baseline req/s (min–max) | ours / baseline | ours p50 / p99 ms (peak) | baseline p50 / p99 ms (peak) | ours p50 / p99 ms at 50% of peak | baseline p50 / p99 ms at 50% of its peak | ours p50 / p99 ms at ${LIGHT_RATE} req/s | server RSS MB | server CPU % |`,
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
  lines.push(...listRow('offset=0, small', r.small, true));
  for (const l of r.lists) lines.push(...listRow(`offset=${l.offset.toLocaleString('en-US')}`, l));
  lines.push('');
  lines.push('## Writes and dispatch', '');
  lines.push('| case | throughput (min–max) | p50 / p99 ms | server RSS MB | server CPU % | notes |');
  lines.push('|---|---|---|---|---|---|');
  const c = r.create;
  lines.push(
    `| POST /tasks, 16 channels (16 subtasks, 2 mtasks, 32 scenes), 4 connections | ${f0(c.summary.rps)} tasks/s (${f0(c.summary.rpsMin)}–${f0(c.summary.rpsMax)}) | ${f1(c.summary.p50)} / ${f1(c.summary.p99)} | ${f0(c.summary.rssMb)} | ${f0(c.summary.cpuPercent)} | ${c.statements.length} SQL statements per create; ${c.summary.non2xx} non-2xx |`,
  );
  const rp = r.reports;
  lines.push(
    `| POST /internal/subtask-reports, batches of 500, 4 senders, 10,000 running subtasks | ${f0(rp.reportsPerSecond)} reports/s applied (${f0(rp.reportsMin)}–${f0(rp.reportsMax)}) | ${f1(rp.summary.p50)} / ${f1(rp.summary.p99)} per batch | ${f0(rp.summary.rssMb)} | ${f0(rp.summary.cpuPercent)} | ${f0(rp.applied)} applied, ${f0(rp.ignored)} ignored, ${rp.non2xx} failed batches, ${rp.deadlocks} InnoDB deadlocks |`,
  );
  const s = r.start;
  lines.push(
    `| start of a task with ${f0(s.subtasks)} subtasks (ops simulator, no added latency) | ${s.dispatchesPerSecond === null ? '—' : `${f0(s.dispatchesPerSecond)} dispatches/s`} | all running after ${s.allRunningMs === null ? '> 120 s' : `${f1(s.allRunningMs / 1000)} s`} | ${f0(s.serverRssMb)} | — | start answered in ${f0(s.startAnswerMs)} ms; create ${f0(s.createMs)} ms; 配置完成 ×${f0(s.subtasks)} ${f1(s.configCompleteMs / 1000)} s |`,
  );
  lines.push('');
  lines.push('## Targets', '');
  lines.push('| target | measured | |');
  lines.push('|---|---|---|');
  for (const v of verdicts(r)) lines.push(`| ${v.target} | ${v.measured} | ${mark(v.ok)} |`);
  lines.push('');
  lines.push('### SQL of one POST /tasks (16 channels), from the general log', '');
  lines.push('```');
  for (const stmt of c.statements) lines.push(stmt.length > 160 ? `${stmt.slice(0, 157)}…` : stmt);
  lines.push('```', '');
  lines.push('### SQL of one GET /tasks?offset=0&limit=10 (ours; the baseline sends the same)', '');
  lines.push('```');
  for (const stmt of r.sqlCheck.statements) lines.push(stmt.length > 200 ? `${stmt.slice(0, 197)}…` : stmt);
  lines.push('```', '');
  if (rp.bodiesWith5xx.length) lines.push('### Failed report batches (first 5)', '', '```', ...rp.bodiesWith5xx, '```', '');
  return lines.join('\n');
}
