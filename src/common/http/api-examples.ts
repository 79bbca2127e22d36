/**
 * Request examples of the OpenAPI document. Swagger UI fills "Try it out" with them, so each one
 * is a request that succeeds as is on a fresh service (a test sends every one of them).
 */

const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

const scene = (name: string, vchanRefid?: string) => ({
  name,
  algo_type: 1,
  ...(vchanRefid ? { vchan_refid: vchanRefid } : {}),
  rois: [{ roi: XML }],
  callibration: { calibration: XML },
  config: { xml: XML },
  basicConfig: { xml: XML },
  link_scenes: [],
  algo_args: { direction: 'in' },
  is_record: 0,
});

/** POST /tasks: a passenger-flow task on two cameras; cam-1's scene is configured already. */
export const CREATE_TASK_EXAMPLE = {
  task_name: 'North gate passenger flow',
  algo_type: '1',
  run_dt: '2026-12-01 08:00:00.000',
  play_url: 'rtsp://10.0.0.5:8554/live',
  store_conf_unid: 'store-1',
  source_type: 'pull_video_stream',
  vchans: [
    { vchan_refid: 'cam-1', name: 'Gate camera' },
    { vchan_refid: 'cam-2', name: 'Lane camera' },
  ],
  mtasks: [{ name: 'polling', type: 0, time_interval: 5, scenes: [scene('gate', 'cam-1')] }],
};

/** PUT /tasks/{task_id}: rename and move the start. */
export const UPDATE_TASK_EXAMPLE = {
  task_name: 'North gate passenger flow (weekdays)',
  run_dt: '2026-12-02 08:00:00.000',
  play_url: 'rtsp://10.0.0.5:8554/live',
  store_conf_unid: 'store-1',
};

/** PUT /subtasks/{subtask_id}/config: one complete scene, bound to the subtask's own channel. */
export const SUBTASK_CONFIG_EXAMPLE = {
  mtasks: [{ name: 'polling', type: 0, time_interval: 5, scenes: [scene('lane')] }],
};

/** POST /dicts: a sixth algorithm type. */
export const CREATE_DICT_ITEM_EXAMPLE = {
  dict_type: 'algo_type',
  code: '5',
  label_zh: '烟火',
  label_en: 'Smoke and fire',
  sort_order: 50,
};

/** PUT /dicts/{id}: relabel an item. */
export const UPDATE_DICT_ITEM_EXAMPLE = { label_zh: '交通', label_en: 'Road traffic', sort_order: 10 };

/** POST /tasks/actions/{action}: ids of tasks to act on, each answered on its own (an unknown one is its own 404). */
export const BULK_TASK_IDS_EXAMPLE = { task_ids: ['01936f0e-8d1c-7bb2-9a53-2f3c1d9e4a10', '01936f0e-8d1c-7bb2-9a53-2f3c1d9e4a11'] };
