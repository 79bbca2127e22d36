import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { Clock } from '../../src/common/time/clock';
import { TransactionRunner } from '../../src/database/transaction.runner';
import type { SubtaskReportDto } from '../../src/dispatch/dto/report.dto';
import type { MtaskRow, SceneRow } from '../../src/scene/domain/scene-rows';
import { SceneRepository } from '../../src/scene/scene.repository';
import type { DesiredState, SubtaskState } from '../../src/subtask/domain/states';
import { SubtaskRepository } from '../../src/subtask/subtask.repository';
import type { SubtaskRow } from '../../src/subtask/subtask.mapper';
import { emptyStatusCounts } from '../../src/task/domain/task-status';
import type { TaskEntity } from '../../src/task/task.entity';
import { TaskRepository } from '../../src/task/task.repository';

export const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

/** A report as the ops service sends it, of generation 1 unless `extra` says otherwise, reported at `at` (epoch ms). */
export const reportDto = (subtask_id: string, state: SubtaskReportDto['state'], at: number, extra: Partial<SubtaskReportDto> = {}): SubtaskReportDto => ({
  subtask_id,
  generation: 1,
  state,
  reported_at: new Date(at).toISOString(),
  ...extra,
});

/** States in which a subtask is wanted running; the others default to a stop wish. */
const RUN_STATES: readonly SubtaskState[] = ['scheduled', 'dispatching', 'running', 'lost'];
/** States with work due for the reconciler: their next attempt defaults to now. */
const DUE_STATES: readonly SubtaskState[] = ['scheduled', 'dispatching', 'stopping', 'lost'];

/**
 * Rows for medium tests, written through the repositories into a real database (SQLite or MariaDB):
 * `task()` a task row, `subtask()` one of its subtasks in any state, `scenes()` an mtask with scenes.
 * Every field has a plausible default; pass only what the test is about. Times default to the
 * clock's now, so a test that moves a ManualClock sees rows written at the moment it set.
 */
export class Factory {
  private readonly tasks: TaskRepository;
  private readonly subtasks: SubtaskRepository;
  private readonly sceneRows: SceneRepository;
  private readonly tx: TransactionRunner;

  constructor(
    readonly dataSource: DataSource,
    private readonly clock: Clock,
    tx?: TransactionRunner,
  ) {
    // The app's runner when there is one: on SQLite its queue keeps these writes out of the app's transactions.
    this.tx = tx ?? new TransactionRunner(dataSource);
    this.tasks = new TaskRepository(dataSource);
    this.subtasks = new SubtaskRepository(dataSource, this.tx);
    this.sceneRows = new SceneRepository(dataSource);
  }

  private run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.tx.run(work);
  }

  /** A bare task row (counted like a created one), no subtasks or configuration. */
  taskRow(overrides: Partial<TaskEntity> = {}): TaskEntity {
    const now = this.clock.now();
    return {
      id: uuidv7(),
      task_name: 'North gate',
      algo_type: '1',
      run_dt: now,
      play_url: 'rtsp://10.0.0.5:8554/live',
      store_conf_unid: null,
      source_type: 'pull_video_stream',
      vchans: [{ vchan_refid: 'ch-1' }],
      node_count: null,
      pull_source_url: null,
      schedule: null,
      status: 'unconfigured',
      status_counts: emptyStatusCounts(),
      status_reason: null,
      next_transition_at: null,
      create_dt: now,
      update_dt: now,
      deleted_dt: null,
      ...overrides,
    };
  }

  async task(overrides: Partial<TaskEntity> = {}): Promise<TaskEntity> {
    const row = this.taskRow(overrides);
    await this.run(async (em) => {
      await this.tasks.insert(em, row);
      if (!row.deleted_dt) await this.tasks.countLive(em, row.create_dt, 1);
    });
    return row;
  }

  subtaskRow(overrides: Partial<SubtaskRow> & { task_id: string }): SubtaskRow {
    const now = this.clock.now();
    const state: SubtaskState = overrides.state ?? 'configured';
    const desired: DesiredState =
      overrides.desired_state ?? (RUN_STATES.includes(state) ? 'run' : state === 'stopping' || state === 'stopped' ? 'stop' : 'idle');
    return {
      id: uuidv7(),
      position: 0,
      vchan_refid: 'ch-1',
      vchan_name: 'Camera 1',
      play_url: 'rtsp://10.0.0.5:8554/live',
      is_ptz: false,
      node_index: null,
      pull_source_url: null,
      state,
      desired_state: desired,
      generation: desired === 'idle' ? 0 : 1,
      status_reason: null,
      progress: null,
      reported_at: null,
      heartbeat_at: state === 'running' ? now : null,
      attempts: 0,
      last_error: null,
      next_attempt_at: DUE_STATES.includes(state) ? now : null,
      lease_owner: null,
      lease_until: null,
      create_dt: now,
      update_dt: now,
      ...overrides,
    };
  }

  /** One subtask; without `task_id`, of a new task of its own. */
  async subtask(overrides: Partial<SubtaskRow> = {}): Promise<SubtaskRow> {
    const taskId = overrides.task_id ?? (await this.task()).id;
    const row = this.subtaskRow({ ...overrides, task_id: taskId });
    await this.run((em) => this.subtasks.insertAll(em, [row]));
    return row;
  }

  /** A task with `count` subtasks on channels ch-1…ch-n, all with the same overrides. */
  async taskWithSubtasks(
    count: number,
    overrides: Partial<SubtaskRow> = {},
    task: Partial<TaskEntity> = {},
  ): Promise<{ task: TaskEntity; subtasks: SubtaskRow[] }> {
    const vchans = Array.from({ length: count }, (_, i) => ({ vchan_refid: `ch-${i + 1}` }));
    const created = await this.task({ vchans, ...task });
    const rows = vchans.map((v, i) =>
      this.subtaskRow({ vchan_refid: v.vchan_refid, vchan_name: `Camera ${i + 1}`, position: i, ...overrides, task_id: created.id }),
    );
    await this.run((em) => this.subtasks.insertAll(em, rows));
    return { task: created, subtasks: rows };
  }

  /** One mtask of the task with a complete scene per channel (or the overrides given per scene). */
  async scenes(
    taskId: string,
    scenes: readonly Partial<SceneRow>[] = [{ vchan_refid: 'ch-1' }],
    mtask: Partial<MtaskRow> = {},
  ): Promise<{ mtask: MtaskRow; scenes: SceneRow[] }> {
    const mtaskId = uuidv7();
    const mtaskRow: MtaskRow = {
      id: mtaskId,
      task_id: taskId,
      position: 0,
      mtask_unid: mtaskId,
      name: 'polling',
      type: 0,
      time_interval: 5,
      start_time: null,
      end_time: null,
      progress: null,
      ...mtask,
    };
    const sceneRows = scenes.map((overrides, i): SceneRow => {
      const id = uuidv7();
      return {
        id,
        mtask_id: mtaskId,
        task_id: taskId,
        position: i,
        scene_unid: id,
        name: `scene ${i + 1}`,
        preset: 1,
        calibration: XML,
        rois: [XML],
        config_xml: XML,
        basic_config_xml: null,
        link_scenes: [],
        algo_type: '1',
        algo_args: {},
        is_record: 1,
        is_active: 1,
        vchan_refid: 'ch-1',
        play_urls: null,
        ...overrides,
      };
    });
    await this.run((em) => this.sceneRows.insertAll(em, [mtaskRow], sceneRows));
    return { mtask: mtaskRow, scenes: sceneRows };
  }
}
