/**
 * A small client of the service as the admin SPA writes one: typed from openapi.json by
 * openapi-typescript (schema.d.ts, rewritten by `npm run openapi:sync`), calls made with openapi-fetch.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';

export type ErrorCode = components['schemas']['ErrorResponseDto']['error'];
export type TaskStatus = components['schemas']['TaskDto']['status'];
export type CreateTask = components['schemas']['CreateTaskDto'];

// The error code is the documented enum, not any string.
const notFound: ErrorCode = 'TASK_NOT_FOUND';
// @ts-expect-error -- not a code of the service
const unknownCode: ErrorCode = 'NO_SUCH_CODE';
void unknownCode;

export function taskClient(baseUrl: string, token: string) {
  return createClient<paths>({ baseUrl, headers: { Authorization: token } });
}

export interface Walkthrough {
  taskId: string;
  listed: number;
  configured: string[];
  status: TaskStatus;
  subtaskStates: string[];
  missingError: ErrorCode;
  missingStatus: number;
}

/** Create, list, configure every subtask, 配置完成, start, read back, and read a typed 404. */
export async function walkthrough(baseUrl: string, token: string, task: CreateTask): Promise<Walkthrough> {
  const client = taskClient(baseUrl, token);
  const created = await client.POST('/tasks', { body: task });
  if (!created.data) throw new Error(`create failed: ${JSON.stringify(created.error)}`);
  const taskId: string = created.data.task_id;

  const list = await client.GET('/tasks', { params: { query: { offset: 0, limit: 10 } } });
  const listed = list.data?.list_data.filter((t) => t.task_id === taskId).length ?? 0;

  const subtasks = await client.GET('/tasks/{task_id}/subtasks', { params: { path: { task_id: taskId } } });
  const configured: string[] = [];
  for (const subtask of subtasks.data?.list_data ?? []) {
    const path = { subtask_id: subtask.subtask_id };
    const saved = await client.PUT('/subtasks/{subtask_id}/config', {
      params: { path },
      body: {
        mtasks: [
          {
            name: 'polling',
            type: 0,
            time_interval: 5,
            scenes: [
              {
                name: `scene of ${subtask.source.vchan_refid ?? subtask.position}`,
                algo_type: 1,
                rois: [{ roi: '<roi/>' }],
                callibration: { calibration: '<c/>' },
                config: { xml: '<cfg/>' },
              },
            ],
          },
        ],
      },
    });
    if (!saved.data) throw new Error(`config failed: ${JSON.stringify(saved.error)}`);
    const done = await client.POST('/subtasks/{subtask_id}/config-complete', { params: { path } });
    if (done.data) configured.push(done.data.state);
  }

  const started = await client.POST('/tasks/{task_id}/start', { params: { path: { task_id: taskId } } });
  if (!started.data) throw new Error(`start failed: ${JSON.stringify(started.error)}`);

  const read = await client.GET('/tasks/{task_id}', { params: { path: { task_id: taskId } } });
  if (!read.data) throw new Error('read failed');
  const status: TaskStatus = read.data.status;

  const missing = await client.GET('/tasks/{task_id}', { params: { path: { task_id: '00000000-0000-7000-8000-000000000000' } } });
  const missingError: ErrorCode = missing.error?.error ?? notFound;
  return {
    taskId,
    listed,
    configured,
    status,
    subtaskStates: read.data.subtasks.map((s) => s.state),
    missingError,
    missingStatus: missing.response.status,
  };
}
