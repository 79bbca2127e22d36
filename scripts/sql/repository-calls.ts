/**
 * The representative call of every repository method whose SQL src/queries/*.sql shows, like
 * immich's `@GenerateSql({ params })`: one entry per public method (a method without one fails
 * test/queries.e2e-spec.ts), a map of named variants where the arguments change the SQL.
 * A call that takes `em` runs in a transaction that is rolled back afterwards; the others run as
 * the app runs them. Methods the class keeps to itself are listed under `internal`: their SQL
 * shows under the public methods that call them.
 */
import type { EntityManager } from 'typeorm';
import type { IdempotencyRepository } from '../../src/common/idempotency/idempotency.repository';
import type { DictionaryRepository } from '../../src/dictionary/dictionary.repository';
import type { JournalRepository } from '../../src/journal/journal.repository';
import type { SceneRepository } from '../../src/scene/scene.repository';
import type { StatusMarkRepository } from '../../src/status/status-mark.repository';
import type { SubtaskRepository } from '../../src/subtask/subtask.repository';
import type { SubtaskRow } from '../../src/subtask/subtask.mapper';
import type { TaskEntity } from '../../src/task/task.entity';

/** What the seeded database holds: a task with four running subtasks (and its scenes), among 20 others. */
export interface SqlContext {
  at: Date;
  task: TaskEntity;
  subtasks: SubtaskRow[];
}

/** Declaring `em` (a third parameter) is what makes a call run in a rolled-back transaction. */
type Call<R> = (repository: R, ctx: SqlContext, em: EntityManager) => Promise<unknown>;

export interface RepositorySpec<R> {
  /** The file under src/queries/. */
  file: string;
  calls: Record<string, Call<R> | Record<string, Call<R>>>;
  internal?: readonly string[];
}

const FIXED_ID = '00000000-0000-7000-8000-0000000000aa';
/** The row lock the app takes on MySQL (TransactionRunner.lockMode); SQLite has none. */
const lock = <M extends 'pessimistic_write' | 'pessimistic_read'>(em: EntityManager, mode: M) =>
  em.connection.options.type === 'better-sqlite3' ? undefined : { mode };
const later = (ctx: SqlContext, ms: number) => new Date(ctx.at.getTime() + ms);
const ids = (ctx: SqlContext) => ctx.subtasks.map((s) => s.id);

const task: RepositorySpec<import('../../src/task/task.repository').TaskRepository> = {
  file: 'task.repository.sql',
  internal: ['liveTotal', 'locateLive'],
  calls: {
    insert: (r, ctx, em) => r.insert(em, { ...ctx.task, id: FIXED_ID }),
    countLive: (r, ctx, em) => r.countLive(em, ctx.at, 1),
    findLive: (r, ctx) => r.findLive(ctx.task.id),
    findAny: (r, ctx) => r.findAny(ctx.task.id),
    findByIds: (r, ctx) => r.findByIds([ctx.task.id, FIXED_ID]),
    lockLive: (r, ctx, em) => r.lockLive(em, ctx.task.id),
    lockStatuses: (r, ctx, em) => r.lockStatuses(em, [ctx.task.id, FIXED_ID], lock(em, 'pessimistic_write')),
    writeStatuses: (r, ctx, em) =>
      r.writeStatuses(em, [
        { id: ctx.task.id, status: 'running', status_counts: ctx.task.status_counts, status_reason: null, next_transition_at: null },
        { id: FIXED_ID, status: 'failed', status_counts: ctx.task.status_counts, status_reason: '1 of 1 subtask failed', next_transition_at: null },
      ]),
    touch: (r, ctx, em) => r.touch(em, ctx.task.id, ctx.at),
    update: (r, ctx, em) => r.update(em, ctx.task.id, { task_name: 'South gate', update_dt: ctx.at }),
    usesAlgoType: (r) => r.usesAlgoType('1'),
    pageVersions: {
      'first page': (r) => r.pageVersions({}, 0, 20),
      'deep offset': (r) => r.pageVersions({}, 40, 20),
      'filtered by algo_type, status and keyword': (r) => r.pageVersions({ algo_type: '1', statuses: ['running'], keyword: 'gate' }, 0, 20),
    },
    byIdsInOrder: (r, ctx) => r.byIdsInOrder([ctx.task.id, FIXED_ID]),
    countLiveByStatus: (r) => r.countLiveByStatus(),
  },
};

const subtask: RepositorySpec<SubtaskRepository> = {
  file: 'subtask.repository.sql',
  internal: ['persisted'],
  calls: {
    insertAll: (r, ctx, em) => r.insertAll(em, [{ ...ctx.subtasks[0], id: FIXED_ID }]),
    findById: (r, ctx) => r.findById(ctx.subtasks[0].id),
    findByTask: (r, ctx) => r.findByTask(ctx.task.id),
    moveStates: (r, ctx, em) => r.moveStates(em, ids(ctx), ['configured'], 'scheduled', ctx.at),
    touch: (r, ctx, em) => r.touch(em, ctx.subtasks[0].id, ctx.at),
    runInfoForTasks: (r, ctx) => r.runInfoForTasks([ctx.task.id, FIXED_ID]),
    versionsForTasks: (r, ctx) => r.versionsForTasks([ctx.task.id, FIXED_ID]),
    search: {
      'by state': (r) => r.search({ state: 'running' }, 0, 20),
      'by channel': (r) => r.search({ vchan_refid: 'ch-1' }, 0, 20),
      'of a task': (r, ctx) => r.search({ task_id: ctx.task.id }, 0, 20),
    },
    countLiveByState: (r) => r.countLiveByState(),
    statusDetailsForTasks: (r, ctx, em) => r.statusDetailsForTasks(em, [ctx.task.id, FIXED_ID], lock(em, 'pessimistic_read')),
    applyControl: {
      start: (r, ctx, em) =>
        r.applyControl(em, ids(ctx), { desired_state: 'run', state: 'dispatching', next_attempt_at: ctx.at, bumpGeneration: true }, ctx.at),
      stop: (r, ctx, em) => r.applyControl(em, ids(ctx), { desired_state: 'stop', state: 'stopping', next_attempt_at: ctx.at, bumpGeneration: false }, ctx.at),
    },
    markLost: (r, ctx, em) => r.markLost(em, later(ctx, -60_000), ctx.at, 'no report for more than 60 s'),
    claim: (r, ctx, em) => r.claim(em, 'replica-a#2', ctx.at, later(ctx, 15_000), 16),
    nextDueAfter: (r, ctx) => r.nextDueAfter(ctx.at),
    finishMany: (r, ctx, em) =>
      r.finishMany(
        em,
        [
          // Before renewLeases and releaseAll, which commit: the seeded claims are still held here.
          // Still applies: written. No longer applies (a report moved it on): the claim is handed back.
          {
            id: ctx.subtasks[0].id,
            token: 'replica-a#1',
            generation: 1,
            expected: ['running'],
            patch: { state: 'stopping', status_reason: 'closed' },
            keepLease: true,
          },
          {
            id: ctx.subtasks[1].id,
            token: 'replica-a#1',
            generation: 1,
            expected: ['dispatching'],
            patch: { state: 'running', attempts: 0 },
            keepLease: false,
          },
        ],
        ctx.at,
        lock(em, 'pessimistic_write'),
      ),
    renewLeases: (r, ctx) => r.renewLeases(new Map(ids(ctx).map((id) => [id, 'replica-a#1'])), later(ctx, 30_000)),
    releaseAll: (r, ctx) => r.releaseAll(new Map(ids(ctx).map((id) => [id, 'replica-a#1']))),
    release: {
      'without a retry time': (r, ctx) => r.release(ctx.subtasks[0].id, 'replica-a#1'),
      'due again later': (r, ctx) => r.release(ctx.subtasks[0].id, 'replica-a#1', later(ctx, 500)),
    },
    lockForReports: (r, ctx, em) => r.lockForReports(em, ids(ctx), lock(em, 'pessimistic_write')),
    // MySQL only (the service writes heartbeats this way only there); SQLite shows no statement.
    writeHeartbeats: (r, ctx, em) =>
      em.connection.options.type === 'better-sqlite3'
        ? Promise.resolve(0)
        : r.writeHeartbeats(
            ctx.subtasks.slice(0, 3).map((s) => ({ id: s.id, generation: 1, state: 'running', status_reason: null, progress: 50, reported_at: ctx.at })),
            ctx.at,
          ),
    writeReports: (r, ctx, em) =>
      r.writeReports(
        em,
        ctx.subtasks
          .slice(0, 3)
          .map((s) => ({ id: s.id, state: 'running' as const, status_reason: null, progress: 50, reported_at: ctx.at, next_attempt_at: null })),
        ctx.at,
      ),
  },
};

const scene: RepositorySpec<SceneRepository> = {
  file: 'scene.repository.sql',
  calls: {
    insertAll: async (r, ctx, em) => {
      const { mtasks, scenes } = await r.loadForTasks([ctx.task.id], em);
      await r.insertAll(
        em,
        mtasks.map((m) => ({ ...m, id: FIXED_ID, task_id: ctx.task.id })),
        scenes.slice(0, 1).map((s) => ({ ...s, id: FIXED_ID, mtask_id: FIXED_ID })),
      );
    },
    replaceForTask: async (r, ctx, em) => {
      const { mtasks, scenes } = await r.loadForTasks([ctx.task.id], em);
      await r.replaceForTask(em, ctx.task.id, mtasks, scenes);
    },
    replaceForChannel: async (r, ctx, em) => {
      const { mtasks, scenes } = await r.loadForSubtask(ctx.task.id, 'ch-1', em);
      const fields = { name: 'polling', type: 0, time_interval: 5, start_time: null, end_time: null };
      await r.replaceForChannel(em, ctx.task.id, 'ch-1', {
        mtaskUpdates: [{ id: mtasks[0].id, fields }],
        mtaskInserts: [],
        sceneInserts: scenes,
        mtaskDeletes: [FIXED_ID],
      });
    },
    loadForSubtask: {
      'a channel': (r, ctx) => r.loadForSubtask(ctx.task.id, 'ch-1'),
      'no channel (picture sources)': (r, ctx) => r.loadForSubtask(ctx.task.id, null),
    },
    loadForTasks: (r, ctx) => r.loadForTasks([ctx.task.id, FIXED_ID]),
  },
};

const dictionary: RepositorySpec<DictionaryRepository> = {
  file: 'dictionary.repository.sql',
  calls: {
    list: (r) => r.list('algo_type'),
    codes: (r) => r.codes('algo_type'),
    findById: (r) => r.findById(FIXED_ID),
    findByCode: (r) => r.findByCode('algo_type', '1'),
    // Insert, update and delete run in this order and leave the table as it was.
    insert: (r, ctx) =>
      r.insert({ id: FIXED_ID, dict_type: 'probe', code: 'x', label_zh: 'x', label_en: 'x', sort_order: 9, create_dt: ctx.at, update_dt: ctx.at }),
    update: (r, ctx) => r.update(FIXED_ID, { label_en: 'y', update_dt: ctx.at }),
    delete: (r) => r.delete(FIXED_ID),
  },
};

const statusMark: RepositorySpec<StatusMarkRepository> = {
  file: 'status-mark.repository.sql',
  calls: {
    mark: (r, ctx, em) => r.mark(em, [ctx.task.id, FIXED_ID], ctx.at),
    pending: (r) => r.pending(200),
    // The mark first, so that the claim has one to lock and delete (its INSERT shows first).
    claim: {
      'one of two marked': async (r, ctx, em) =>
        r.mark(em, [ctx.task.id], ctx.at).then(() => r.claim(em, [ctx.task.id, FIXED_ID], lock(em, 'pessimistic_write'))),
    },
    count: (r) => r.count(),
  },
};

const claim = (ctx: SqlContext, token: string) => ({
  subject: 'probe-subject',
  idem_key: 'probe-key',
  request_hash: 'f'.repeat(64),
  claim_token: token,
  state: 'pending' as const,
  status_code: null,
  response_body: null,
  claimed_at: ctx.at,
  expires_at: later(ctx, 86_400_000),
});

const idempotency: RepositorySpec<IdempotencyRepository> = {
  file: 'idempotency.repository.sql',
  calls: {
    // Claim, look up, take over, complete and release run in this order and leave the table as it was.
    insertClaim: (r, ctx, em) => r.insertClaim(em, claim(ctx, FIXED_ID)),
    find: (r, _ctx, em) => r.find(em, 'probe-subject', 'probe-key'),
    takeOver: (r, ctx, em) => r.takeOver(em, FIXED_ID, claim(ctx, FIXED_ID)),
    complete: (r, _ctx, em) => r.complete(em, 'probe-subject', 'probe-key', FIXED_ID, 200, '{"ecode":200}'),
    release: (r, _ctx, em) => r.release(em, 'probe-subject', 'probe-key', FIXED_ID),
    pruneExpired: (r, ctx, em) => r.pruneExpired(em, ctx.at),
  },
};

const journal: RepositorySpec<JournalRepository> = {
  file: 'journal.repository.sql',
  // Run by append: the sequence update and the insert appear under it.
  internal: ['filtered', 'write', 'takePositions'],
  calls: {
    // Registers a listener: no SQL of its own.
    onCommitted: (r) => Promise.resolve(r.onCommitted(() => undefined)),
    append: (r, ctx, em) =>
      r.append(
        em,
        ctx.subtasks.slice(0, 2).map((s) => ({
          kind: 'subtask.state' as const,
          task_id: ctx.task.id,
          subtask_id: s.id,
          from: 'running',
          to: 'lost',
          generation: 1,
          actor: { type: 'system' as const },
        })),
        ctx.at,
      ),
    findSequenced: {
      "a task's history, newest first": (r, ctx) => r.findSequenced({ taskId: ctx.task.id, kinds: ['subtask.state'], before: 1000 }, 'DESC', 50),
      'catch-up after a cursor': (r) => r.findSequenced({ after: 0, atMost: 1000 }, 'ASC', 500),
      "a subtask's history": (r, ctx) => r.findSequenced({ subtaskId: ctx.subtasks[0].id }, 'DESC', 50),
    },
    countSequenced: (r, ctx) => r.countSequenced({ taskId: ctx.task.id }),
    lastSeq: (r) => r.lastSeq(),
    oldestRetainedSeq: (r) => r.oldestRetainedSeq(),
    pruneBatch: (r, ctx) => r.pruneBatch(later(ctx, -30 * 86_400_000), 500),
    findForAvailability: {
      'a task': (r, ctx) => r.findForAvailability(ctx.task.id, ['subtask.state'], { since: later(ctx, -86_400_000), before: ctx.at }),
      'one subtask': (r, ctx) => r.findForAvailability(ctx.task.id, ['subtask.state'], { subtaskId: ctx.subtasks[0].id, before: ctx.at }),
    },
    lastStatesBefore: {
      'a task': (r, ctx) => r.lastStatesBefore(ctx.task.id, ctx.at),
      'one subtask': (r, ctx) => r.lastStatesBefore(ctx.task.id, ctx.at, ctx.subtasks[0].id),
    },
  },
};

/** Repository class name → its calls; every class in src/**\/*.repository.ts must be here. */
export const REPOSITORY_CALLS: Record<string, RepositorySpec<never>> = {
  TaskRepository: task,
  SubtaskRepository: subtask,
  SceneRepository: scene,
  DictionaryRepository: dictionary,
  StatusMarkRepository: statusMark,
  JournalRepository: journal,
  IdempotencyRepository: idempotency,
};
