import { v7 as uuidv7 } from 'uuid';
import { emptyStatusCounts } from '../../src/task/domain/task-status';
import type { TaskEntity } from '../../src/task/task.entity';

export const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

/** A scene in the original's shape, every field present (output-only ones too, which input ignores). */
export function scene(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'gate',
    preset: 1,
    callibration: { calibration: XML },
    rois: [{ roi: XML }, { roi: XML }],
    config: { xml: XML },
    basicConfig: { xml: XML },
    link_scenes: [],
    algo_type: 1,
    algo_args: {},
    is_record: 1,
    is_active: 1,
    vchan_refid: 'ch-1',
    play_urls: { http: 'http://example.test/a', rtsp: 'rtsp://example.test/a' },
    is_running: 1,
    status_reason: 'ignored on input',
    ...overrides,
  };
}

/** What GET answers for `scene(overrides)` of a subtask that never ran. */
export function sceneOutput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...scene(), is_running: 0, status_reason: null, ...overrides };
}

export function mtask(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'polling',
    type: 0,
    time_interval: 5,
    start_time: '00:00:00',
    end_time: '22:01:20',
    progress: 30,
    scenes: [scene()],
    ...overrides,
  };
}

/** The original's POST /tasks body plus the split fields: a video task with `channels` channels. */
export function videoTask(overrides: Record<string, unknown> = {}, channels = 2): Record<string, unknown> {
  const vchans = Array.from({ length: channels }, (_, i) => ({ vchan_refid: `ch-${i + 1}`, name: `Camera ${i + 1}` }));
  return {
    task_name: 'North gate passenger flow',
    algo_type: '1',
    run_dt: '2018-12-03 10:27:30.999',
    play_url: 'rtsp://192.168.9.155:8554//opt/data/vedio/1543548943071.264',
    store_conf_unid: 'store-1',
    source_type: 'pull_video_stream',
    vchans,
    mtasks: [mtask({ scenes: vchans.map((v, i) => scene({ name: `scene ${i + 1}`, vchan_refid: v.vchan_refid })) })],
    ...overrides,
  };
}

export function pictureTask(sourceType: 'pull_pic_files' | 'push_pic_files', nodeCount = 3): Record<string, unknown> {
  return {
    task_name: 'Plates from pictures',
    algo_type: '0',
    run_dt: '2018-12-03 10:27:30.999',
    play_url: 'http://pictures.example.test/feed',
    source_type: sourceType,
    node_count: nodeCount,
    ...(sourceType === 'pull_pic_files' ? { pull_source_url: 'ftp://pictures.example.test/in' } : {}),
    mtasks: [mtask({ scenes: [scene({ algo_type: '0', vchan_refid: undefined })] })],
  };
}

/** A bare task row (no subtasks, no configuration) created at `createdAt`, for tests that place tasks in time. */
export function taskRow(createdAt: number, overrides: Partial<TaskEntity> = {}): TaskEntity {
  return {
    id: uuidv7(),
    task_name: 'Row probe',
    algo_type: '0',
    run_dt: new Date(createdAt),
    play_url: 'rtsp://cam/1',
    store_conf_unid: null,
    source_type: 'pull_video_stream',
    vchans: [],
    node_count: null,
    pull_source_url: null,
    schedule: null,
    status: 'unconfigured',
    status_counts: emptyStatusCounts(),
    status_reason: null,
    next_transition_at: null,
    create_dt: new Date(createdAt),
    update_dt: new Date(createdAt),
    deleted_dt: null,
    ...overrides,
  };
}
