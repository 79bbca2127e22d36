import type { Connection } from 'mysql2/promise';
import { v7 as uuidv7 } from 'uuid';
import { countStates, deriveTaskStatus, type SubtaskStatusInput } from '../src/task/domain/task-status';
import { dayOf } from '../src/task/domain/day-counts';
import { seededRandom } from '../src/common/testing/seeded-random';
import { connect } from './db';

/**
 * The benchmark dataset, written with large multi-row INSERTs through mysql2 (no ORM): task i
 * (0 = newest) was created 30 s before task i-1, so sizes can grow by adding older tasks while the
 * first pages stay the same. Every task has 2 mtasks × 2 scenes with 0.5–2 KB of XML per scene;
 * the newest `withSubtasks` tasks have 4 running subtasks each (desired run, generation 1).
 */

export const CHANNELS = ['ch-1', 'ch-2', 'ch-3', 'ch-4'];
/** Newest create_dt of the dataset; fixed per run so growing the data keeps the order. */
const NEWEST = Date.now() - 60_000;
const SPACING_MS = 30_000;

/** Rows per INSERT: a few MB per statement, well under max_allowed_packet (16 MB). */
const TASK_ROWS = 2_000;
const MTASK_ROWS = 5_000;
const SCENE_ROWS = 1_500;
const SUBTASK_ROWS = 2_500;
/** Statements in flight: row building (this process) overlaps with MariaDB writing. */
const PARALLEL = 3;

function polygonXml(root: string, bytes: number, random: () => number): string {
  let body = '';
  while (body.length < bytes - root.length * 2 - 40) {
    body += `<point x="${Math.floor(random() * 1920)}" y="${Math.floor(random() * 1080)}"/>`;
  }
  return `<?xml version="1.0" encoding="UTF-8"?><${root}>${body}</${root}>`;
}

interface SceneXml {
  calibration: string;
  rois: string[];
  config: string;
  basic: string;
}

/** A pool of distinct XML sets, 0.5–2 KB per scene in total, reused across scenes. */
const XML_POOL: SceneXml[] = (() => {
  // Deterministic, so every run seeds the same data.
  const random = seededRandom(42);
  return Array.from({ length: 256 }, () => {
    const total = 512 + Math.floor(random() * 1536);
    return {
      calibration: polygonXml('calibration', Math.floor(total * 0.25), random),
      rois: [polygonXml('roi', Math.floor(total * 0.2), random), polygonXml('roi', Math.floor(total * 0.2), random)],
      config: polygonXml('config', Math.floor(total * 0.25), random),
      basic: polygonXml('basic', Math.floor(total * 0.1), random),
    };
  });
})();

export const taskCreatedAt = (i: number): Date => new Date(NEWEST - i * SPACING_MS - ((i * 7919) % 1000));

interface Built {
  tasks: unknown[][];
  mtasks: unknown[][];
  scenes: unknown[][];
  subtasks: unknown[][];
}

const RUNNING: SubtaskStatusInput = { state: 'running', desired_state: 'run' };
const runningStatus = {
  status: deriveTaskStatus([RUNNING, RUNNING, RUNNING, RUNNING]),
  counts: JSON.stringify(countStates([RUNNING, RUNNING, RUNNING, RUNNING])),
};
const idleStatus = { status: deriveTaskStatus([]), counts: JSON.stringify(countStates([])) };

function buildTask(i: number, withSubtasks: boolean, out: Built): void {
  const created = taskCreatedAt(i);
  const ms = created.getTime();
  const id = uuidv7({ msecs: ms });
  const algo = String(i % 5);
  const vchans = CHANNELS.map((c, n) => ({ vchan_refid: c, name: `Camera ${n + 1}` }));
  const status = withSubtasks ? runningStatus : idleStatus;
  out.tasks.push([
    id,
    `Gate ${i} ${['traffic', 'flow', 'security', 'parking', 'face'][i % 5]}`,
    algo,
    created,
    `rtsp://10.1.${(i >> 8) & 255}.${i & 255}:8554/live`,
    `store-${i % 7}`,
    'pull_video_stream',
    JSON.stringify(vchans),
    null,
    null,
    status.status,
    status.counts,
    null,
    created,
    created,
    null,
  ]);
  for (let m = 0; m < 2; m++) {
    const mtaskId = uuidv7({ msecs: ms });
    out.mtasks.push([
      mtaskId,
      id,
      m,
      mtaskId,
      m === 0 ? 'polling' : 'daytime',
      m,
      m === 0 ? 5 : null,
      m === 0 ? null : '08:00:00',
      m === 0 ? null : '18:00:00',
      null,
    ]);
    for (let s = 0; s < 2; s++) {
      const sceneId = uuidv7({ msecs: ms });
      const xml = XML_POOL[(i * 4 + m * 2 + s) % XML_POOL.length];
      out.scenes.push([
        sceneId,
        mtaskId,
        id,
        s,
        sceneId,
        `scene ${m}-${s}`,
        s + 1,
        xml.calibration,
        JSON.stringify(xml.rois),
        xml.config,
        xml.basic,
        '[]',
        algo,
        '{}',
        1,
        1,
        CHANNELS[m * 2 + s],
        JSON.stringify({ http: null, rtsp: null }),
      ]);
    }
  }
  if (!withSubtasks) return;
  const reportedAt = new Date(Date.now() - 300_000);
  CHANNELS.forEach((channel, position) => {
    out.subtasks.push([
      uuidv7({ msecs: ms }),
      id,
      position,
      channel,
      `Camera ${position + 1}`,
      `rtsp://10.1.0.${position}:8554/live`,
      0,
      null,
      null,
      'running',
      'run',
      1,
      null,
      0,
      reportedAt,
      new Date(),
      0,
      null,
      null,
      null,
      created,
      created,
    ]);
  });
}

const COLUMNS = {
  tb_task:
    'id, task_name, algo_type, run_dt, play_url, store_conf_unid, source_type, vchans, node_count, pull_source_url, status, status_counts, status_reason, create_dt, update_dt, deleted_dt',
  tb_mtask: 'id, task_id, position, mtask_unid, name, type, time_interval, start_time, end_time, progress',
  tb_scene:
    'id, mtask_id, task_id, position, scene_unid, name, preset, calibration, rois, config_xml, basic_config_xml, link_scenes, algo_type, algo_args, is_record, is_active, vchan_refid, play_urls',
  tb_subtask:
    'id, task_id, position, vchan_refid, vchan_name, play_url, is_ptz, node_index, pull_source_url, state, desired_state, generation, status_reason, progress, reported_at, heartbeat_at, attempts, next_attempt_at, lease_owner, lease_until, create_dt, update_dt',
} as const;

/** Runs INSERTs on a few connections at once. */
class Inserter {
  private readonly idle: Connection[] = [];
  private readonly waiting: ((c: Connection) => void)[] = [];
  private readonly pending = new Set<Promise<void>>();
  statements = 0;

  static async open(database: string): Promise<Inserter> {
    const inserter = new Inserter();
    for (let i = 0; i < PARALLEL; i++) inserter.idle.push(await connect(database));
    return inserter;
  }

  private acquire(): Promise<Connection> {
    const conn = this.idle.pop();
    return conn ? Promise.resolve(conn) : new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(conn: Connection): void {
    const next = this.waiting.shift();
    if (next) next(conn);
    else this.idle.push(conn);
  }

  async insert(table: keyof typeof COLUMNS, rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    const conn = await this.acquire();
    this.statements++;
    const work = conn
      .query(`INSERT INTO ${table} (${COLUMNS[table]}) VALUES ?`, [rows])
      .then(() => undefined)
      .finally(() => {
        this.release(conn);
        this.pending.delete(work);
      });
    this.pending.add(work);
  }

  /** Waits for every statement in flight (children must not be sent before their parents are in). */
  async flush(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }

  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.idle.map((c) => c.end()));
  }
}

/**
 * Seeds tasks [from, to) (0 = newest). Parents go in before children (foreign keys stay on), in
 * chunks of tasks so memory stays flat.
 */
export async function seedTasks(database: string, from: number, to: number, withSubtasks: number): Promise<{ seconds: number; statements: number }> {
  const started = Date.now();
  const inserter = await Inserter.open(database);
  try {
    for (let start = from; start < to; start += TASK_ROWS) {
      const out: Built = { tasks: [], mtasks: [], scenes: [], subtasks: [] };
      for (let i = start; i < Math.min(to, start + TASK_ROWS); i++) buildTask(i, i < withSubtasks, out);
      await inserter.insert('tb_task', out.tasks);
      await inserter.flush();
      for (let k = 0; k < out.mtasks.length; k += MTASK_ROWS) await inserter.insert('tb_mtask', out.mtasks.slice(k, k + MTASK_ROWS));
      await inserter.flush();
      // Scenes and subtasks stay in flight while the next chunk's rows are built.
      for (let k = 0; k < out.scenes.length; k += SCENE_ROWS) await inserter.insert('tb_scene', out.scenes.slice(k, k + SCENE_ROWS));
      for (let k = 0; k < out.subtasks.length; k += SUBTASK_ROWS) await inserter.insert('tb_subtask', out.subtasks.slice(k, k + SUBTASK_ROWS));
    }
    await inserter.flush();
  } finally {
    await inserter.close();
  }
  // The service keeps the live-task counts in tb_task_counter and tb_task_day_count
  // (create/delete/restore); rows written behind its back must be counted too.
  const perDay = new Map<number, number>();
  for (let i = from; i < to; i++) {
    const day = dayOf(taskCreatedAt(i));
    perDay.set(day, (perDay.get(day) ?? 0) + 1);
  }
  const conn = await connect(database);
  try {
    await conn.query('UPDATE tb_task_counter SET live = live + ? WHERE slot = 0', [to - from]);
    if (perDay.size > 0) {
      await conn.query('INSERT INTO tb_task_day_count (day, slot, live) VALUES ? ON DUPLICATE KEY UPDATE live = live + VALUES(live)', [
        [...perDay].map(([day, live]) => [day, 0, live]),
      ]);
    }
  } finally {
    await conn.end();
  }
  return { seconds: (Date.now() - started) / 1000, statements: inserter.statements };
}

/** Rows in the bench tables, for the report. */
export async function tableCounts(database: string): Promise<Record<string, number>> {
  const conn = await connect(database);
  try {
    const counts: Record<string, number> = {};
    for (const table of Object.keys(COLUMNS)) {
      const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM ${table}`);
      counts[table] = Number((rows as { n: number }[])[0].n);
    }
    return counts;
  } finally {
    await conn.end();
  }
}
