import { createServer, type ServerResponse } from 'node:http';
import mysql, { type RowDataPacket } from 'mysql2/promise';

/**
 * The raw baseline: `GET /tasks?offset=&limit=` on node:http + mysql2 and nothing else — no
 * framework, no ORM, no validation library, no logger. It sends the same SQL statements the
 * service sends for the list (copied from MariaDB's general log, see bench/README.md) and answers
 * the same JSON, byte for byte (the harness checks), so ours/baseline is the cost of everything
 * the service adds on top of the database work.
 *
 * Env: PORT, DB_HOST, DB_PORT, DB_USER, DB_PASSWORD, DB_NAME, DB_POOL_SIZE, TOKEN, TIME_ZONE.
 */

const env = process.env;
const TOKEN = env.TOKEN ?? 'bench';
const ZONE = env.TIME_ZONE ?? 'Asia/Shanghai';

const pool = mysql.createPool({
  host: env.DB_HOST ?? '127.0.0.1',
  port: Number(env.DB_PORT ?? 3306),
  user: env.DB_USER ?? 'root',
  password: env.DB_PASSWORD ?? '',
  database: env.DB_NAME,
  charset: 'utf8mb4_unicode_ci',
  timezone: 'Z',
  connectionLimit: Number(env.DB_POOL_SIZE ?? 10),
  waitForConnections: true,
});

// The statements, as the service's TypeORM query builder writes them.
const COUNT_SQL = 'SELECT SUM(`c`.`live`) AS `total` FROM `tb_task_counter` `c`';
const PAGE_SQL = 'SELECT `t`.`id` AS `id` FROM `tb_task` `t` WHERE `t`.`deleted_dt` IS NULL ORDER BY `t`.`create_dt` DESC, `t`.`id` DESC LIMIT ? OFFSET ?';
// Past the first page: live tasks per UTC day locate the day the offset falls on (newest days
// first, 64 at a time, then 4× more per round), and the page starts at the end of that day.
const DAYS_SQL = 'SELECT `d`.`day` AS `day`, SUM(`d`.`live`) AS `live` FROM `tb_task_day_count` `d` GROUP BY `d`.`day` ORDER BY `d`.`day` DESC LIMIT ?';
const OLDER_DAYS_SQL =
  'SELECT `d`.`day` AS `day`, SUM(`d`.`live`) AS `live` FROM `tb_task_day_count` `d` WHERE `d`.`day` < ? GROUP BY `d`.`day` ORDER BY `d`.`day` DESC LIMIT ?';
const DAY_PAGE_SQL =
  'SELECT `t`.`id` AS `id` FROM `tb_task` `t` WHERE `t`.`deleted_dt` IS NULL AND `t`.`create_dt` < ? ORDER BY `t`.`create_dt` DESC, `t`.`id` DESC LIMIT ? OFFSET ?';
const cols = (names: string[]) => names.map((n) => `\`${n}\``).join(', ');
const TASK_COLUMNS = [
  'id',
  'task_name',
  'algo_type',
  'run_dt',
  'play_url',
  'store_conf_unid',
  'source_type',
  'vchans',
  'node_count',
  'pull_source_url',
  'status',
  'status_counts',
  'status_reason',
  'create_dt',
  'update_dt',
  'deleted_dt',
];
const MTASK_COLUMNS = ['id', 'task_id', 'position', 'mtask_unid', 'name', 'type', 'time_interval', 'start_time', 'end_time', 'progress'];
const SCENE_COLUMNS = [
  'id',
  'mtask_id',
  'task_id',
  'position',
  'scene_unid',
  'name',
  'preset',
  'calibration',
  'rois',
  'config_xml',
  'basic_config_xml',
  'link_scenes',
  'algo_type',
  'algo_args',
  'is_record',
  'is_active',
  'vchan_refid',
  'play_urls',
];
const SUBTASK_COLUMNS = ['task_id', 'vchan_refid', 'state', 'desired_state', 'status_reason', 'progress'];
const TASKS_SQL = `SELECT ${cols(TASK_COLUMNS)} FROM \`tb_task\` WHERE \`id\` IN (?)`;
const MTASKS_SQL = `SELECT ${cols(MTASK_COLUMNS)} FROM \`tb_mtask\` WHERE \`task_id\` IN (?)`;
const SCENES_SQL = `SELECT ${cols(SCENE_COLUMNS)} FROM \`tb_scene\` WHERE \`task_id\` IN (?)`;
const SUBTASKS_SQL = `SELECT ${cols(SUBTASK_COLUMNS)} FROM \`tb_subtask\` WHERE \`task_id\` IN (?)`;

type Row = RowDataPacket & Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `YYYY-MM-DD HH:mm:ss.SSS` in ZONE, with one cached Intl formatter. */
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
function wire(date: Date | null): string | null {
  if (!date) return null;
  const p: Record<string, string> = {};
  for (const { type, value } of parts.formatToParts(date)) p[type] = value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}.${String(date.getUTCMilliseconds()).padStart(3, '0')}`;
}

const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);

function groupBy(rows: Row[], key: string): Map<string, Row[]> {
  const map = new Map<string, Row[]>();
  for (const row of rows) {
    const list = map.get(row[key]);
    if (list) list.push(row);
    else map.set(row[key], [row]);
  }
  return map;
}

function runners(scene: Row, subtasks: Row[]): Row[] {
  const channel = scene.vchan_refid;
  if (!channel) return subtasks;
  const bound = subtasks.filter((s) => s.vchan_refid === channel);
  return bound.length ? bound : subtasks.filter((s) => s.vchan_refid === null);
}

function toTask(t: Row, mtasks: Row[], scenes: Row[], subtasks: Row[]) {
  const scenesByMtask = groupBy(scenes, 'mtask_id');
  return {
    task_id: t.id,
    task_name: t.task_name,
    algo_type: t.algo_type,
    run_dt: wire(t.run_dt),
    play_url: t.play_url,
    store_conf_unid: t.store_conf_unid,
    source_type: t.source_type,
    vchans: ((json(t.vchans) ?? []) as Row[]).map((v) => ({
      vchan_refid: v.vchan_refid,
      name: v.name ?? null,
      play_url: v.play_url ?? null,
      is_ptz: v.is_ptz === true,
    })),
    node_count: t.node_count,
    pull_source_url: t.pull_source_url,
    mtasks: mtasks
      .sort((a, b) => a.position - b.position)
      .map((m) => {
        const own = (scenesByMtask.get(m.id) ?? []).sort((a, b) => a.position - b.position);
        const all = new Set(own.flatMap((s) => runners(s, subtasks)));
        const reported = [...all].map((s) => s.progress).filter((p): p is number => p !== null);
        return {
          mtask_unid: m.mtask_unid,
          name: m.name,
          type: m.type,
          time_interval: m.time_interval,
          start_time: m.start_time,
          end_time: m.end_time,
          progress: reported.length ? Math.round(reported.reduce((a, b) => a + b, 0) / reported.length) : null,
          scenes: own.map((s) => {
            const run = runners(s, subtasks);
            const calibration = s.calibration;
            const config = s.config_xml;
            const basic = s.basic_config_xml;
            return {
              scene_unid: s.scene_unid,
              name: s.name,
              preset: s.preset,
              callibration: calibration === null ? null : { calibration },
              rois: (json(s.rois) as string[]).map((roi) => ({ roi })),
              config: config === null ? null : { xml: config },
              basicConfig: basic === null ? null : { xml: basic },
              link_scenes: json(s.link_scenes),
              algo_type: Number(s.algo_type),
              algo_args: json(s.algo_args),
              is_record: s.is_record,
              is_active: s.is_active,
              vchan_refid: s.vchan_refid,
              play_urls: json(s.play_urls),
              is_running: run.some((r) => r.state === 'running') ? 1 : 0,
              status_reason: run.find((r) => r.status_reason)?.status_reason ?? null,
            };
          }),
        };
      }),
    status: t.status,
    status_counts: json(t.status_counts),
    status_reason: t.status_reason,
    create_dt: wire(t.create_dt),
    update_dt: wire(t.update_dt),
  };
}

/**
 * One statement on a pooled connection taken and released around it, as TypeORM's query runner
 * does. Not `pool.query()`: from mysql2 3.17.2 on (the version that wrapped its callbacks for
 * read-only errors), the rows of its results survive scavenges and are promoted to the old
 * generation, so the baseline's tail would be its own major GCs (bench/results/fixes.md §9).
 */
async function query(sql: string, values?: unknown[]): Promise<Row[]> {
  const conn = await pool.getConnection();
  try {
    const [rows] = await conn.query<Row[]>(sql, values);
    return rows;
  } finally {
    conn.release();
  }
}

async function pageIds(offset: number, limit: number): Promise<Row[]> {
  if (offset === 0) return query(PAGE_SQL, [limit, offset]);
  let passed = 0;
  let olderThan: number | undefined;
  for (let read = 64; ; read *= 4) {
    const days = await (olderThan === undefined ? query(DAYS_SQL, [read]) : query(OLDER_DAYS_SQL, [olderThan, read]));
    for (const row of days) {
      const live = Math.max(0, Number(row.live));
      if (offset < passed + live) return query(DAY_PAGE_SQL, [new Date((Number(row.day) + 1) * 86_400_000), limit, offset - passed]);
      passed += live;
    }
    if (days.length < read) return [];
    olderThan = Number(days[days.length - 1].day);
  }
}

async function list(offset: number, limit: number) {
  const [countRows, idRows] = await Promise.all([query(COUNT_SQL), pageIds(offset, limit)]);
  const total = Number(countRows[0].total ?? 0);
  const ids = idRows.map((r) => r.id as string);
  if (ids.length === 0) return { ecode: 200, enote: 'OK', total_num: total, offset, list_size: 0, list_data: [] };
  const taskRows = await query(TASKS_SQL, [ids]);
  const [mtasks, scenes, subtasks] = await Promise.all([query(MTASKS_SQL, [ids]), query(SCENES_SQL, [ids]), query(SUBTASKS_SQL, [ids])]);
  const byId = new Map(taskRows.map((t) => [t.id as string, t]));
  const m = groupBy(mtasks, 'task_id');
  const s = groupBy(scenes, 'task_id');
  const r = groupBy(subtasks, 'task_id');
  const data = ids.filter((id) => byId.has(id)).map((id) => toTask(byId.get(id)!, m.get(id) ?? [], s.get(id) ?? [], r.get(id) ?? []));
  return { ecode: 200, enote: 'OK', total_num: total, offset, list_size: data.length, list_data: data };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

// ------------------------------------------------------------------ POST /internal/subtask-reports
// The physical limit of applying a report batch: one multi-row INSERT … ON DUPLICATE KEY UPDATE on
// `bench_raw_subtask` (the harness copies tb_subtask's report columns into it), with judgeReport's
// generation and reported_at rules as conditions, and nothing else: no lock-then-judge round trip,
// no journal, no task status. Assignments run left to right, so reported_at is assigned last.
const INTERNAL_TOKEN = env.INTERNAL_TOKEN ?? '';
const NEWER = 'VALUES(`generation`) = `generation` AND (`reported_at` IS NULL OR VALUES(`reported_at`) > `reported_at`)';
const UPSERT_HEAD =
  'INSERT INTO `bench_raw_subtask` (`id`, `generation`, `state`, `status_reason`, `progress`, `reported_at`, `heartbeat_at`, `update_dt`) VALUES ';
const UPSERT_TAIL =
  ' ON DUPLICATE KEY UPDATE ' +
  ['state', 'status_reason', 'progress', 'heartbeat_at', 'update_dt', 'reported_at']
    .map((c) => `\`${c}\` = IF(${NEWER}, VALUES(\`${c}\`), \`${c}\`)`)
    .join(', ');

interface RawReport {
  subtask_id: string;
  generation: number;
  state: string;
  status_reason?: string | null;
  progress?: number | null;
  reported_at: string;
}

async function applyReports(reports: RawReport[]): Promise<{ applied: number; ignored: number }> {
  const now = new Date();
  const params: unknown[] = [];
  for (const r of reports)
    params.push(
      r.subtask_id,
      r.generation,
      r.state,
      r.state === 'running' ? null : (r.status_reason ?? null),
      r.progress ?? null,
      new Date(r.reported_at),
      now,
      now,
    );
  const sql = UPSERT_HEAD + reports.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ') + UPSERT_TAIL;
  const conn = await pool.getConnection();
  try {
    const [result] = await conn.query<mysql.ResultSetHeader>(sql, params);
    // Every row exists: 2 affected per row changed, 0 per row left as it was.
    const applied = Math.round(result.affectedRows / 2);
    return { applied, ignored: reports.length - applied };
  } finally {
    conn.release();
  }
}

function readBody(req: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/health') return send(res, 200, { ecode: 200, enote: 'OK' });
  if (req.method === 'POST' && url.pathname === '/internal/subtask-reports') {
    if (!INTERNAL_TOKEN || req.headers.authorization !== INTERNAL_TOKEN) return send(res, 401, { ecode: 401, enote: 'Unauthorized' });
    readBody(req)
      .then((text) => {
        const { reports } = JSON.parse(text) as { reports: RawReport[] };
        if (!Array.isArray(reports) || reports.length === 0 || reports.length > 1000) throw new Error('reports: 1 to 1000 items');
        return applyReports(reports);
      })
      .then(
        (counts) => send(res, 200, { ecode: 200, enote: 'OK', ...counts }),
        (error: unknown) => send(res, 500, { ecode: 500, enote: String(error) }),
      );
    return;
  }
  if (req.method !== 'GET' || url.pathname !== '/tasks') return send(res, 404, { ecode: 404, enote: 'Not Found' });
  if (req.headers.authorization !== TOKEN) return send(res, 401, { ecode: 401, enote: 'Unauthorized' });
  const offset = Number(url.searchParams.get('offset') ?? 0);
  const limit = Number(url.searchParams.get('limit') ?? 10);
  list(offset, limit).then(
    (body) => send(res, 200, body),
    (error: unknown) => send(res, 500, { ecode: 500, enote: String(error) }),
  );
});
server.keepAliveTimeout = 72_000;
server.listen(Number(env.PORT ?? 3918), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
