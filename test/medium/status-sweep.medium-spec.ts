import type { QueryRunner } from 'typeorm';
import { TransactionRunner } from '../../src/database/transaction.runner';
import { StatusMarkRepository } from '../../src/status/status-mark.repository';
import { StatusSweeper } from '../../src/status/status-sweeper.service';
import { TaskStatusService } from '../../src/task/task-status.service';
import { DATABASE_KINDS } from '../support/databases';
import { MediumApp } from './medium-app';

/**
 * The sweep against the writers it sums up. A writer marks its task in its own transaction; the
 * sweep takes the marks before it reads the subtasks, unlocked. Each case asserts the stored status
 * a sweep leaves, or the mark that makes the next sweep correct it.
 */
describe.each(DATABASE_KINDS)('status sweep (%s)', (kind) => {
  let app: MediumApp;

  beforeAll(async () => {
    app = await MediumApp.start(kind);
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    await app.reset();
  });

  const storedStatus = async (taskId: string) => (await app.rows<{ status: string }>('SELECT status FROM tb_task WHERE id = ?', [taskId]))[0].status;
  const markCommitted = (taskId: string) => app.get(TransactionRunner).run((em) => app.get(StatusMarkRepository).mark(em, [taskId], new Date()));

  it('re-derives only tasks whose marks it takes: a task without a mark is left as stored', async () => {
    const marked = await app.factory.taskWithSubtasks(1, { state: 'failed', desired_state: 'run' }, { status: 'running' });
    const unmarked = await app.factory.taskWithSubtasks(1, { state: 'failed', desired_state: 'run' }, { status: 'running' });
    await markCommitted(marked.task.id);

    await app.get(StatusSweeper).refreshBatch([marked.task.id, unmarked.task.id]);

    expect(await storedStatus(marked.task.id)).toBe('failed');
    // Another replica's sweep took this one's mark (or none was left): nothing to re-derive here.
    expect(await storedStatus(unmarked.task.id)).toBe('running');
    expect(await app.marks()).toEqual([]);
    expect(await app.rows("SELECT task_id FROM tb_event WHERE kind = 'task.status'")).toEqual([{ task_id: marked.task.id }]);
  });

  it('drops the mark of a task that is gone', async () => {
    const gone = '00000000-0000-7000-8000-00000000dead';
    await markCommitted(gone);

    await app.sweep();

    expect(await app.marks()).toEqual([]);
  });

  if (kind !== 'mysql') return;

  /** A writer's transaction on its own connection, held open until the test commits it. */
  async function openWriter(): Promise<QueryRunner> {
    const writer = app.dataSource.createQueryRunner();
    await writer.connect();
    await writer.startTransaction();
    return writer;
  }
  /** The writer's two steps, as a report batch takes them: the subtask's new state, then its task's mark. */
  const failIn = (writer: QueryRunner, subtaskId: string) => writer.query("UPDATE tb_subtask SET state = 'failed' WHERE id = ?", [subtaskId]);
  const markIn = (writer: QueryRunner, taskId: string) =>
    writer.query('INSERT IGNORE INTO tb_task_status_mark (task_id, marked_at) VALUES (?, ?)', [taskId, new Date()]);
  /** Whether `promise` settles within `ms` (the timer is cleared either way). */
  async function settledWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([promise.then(() => true), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  it('waits for a writer that holds the mark, then reads what it committed', async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, { state: 'running' }, { status: 'running' });
    await markCommitted(task.id);
    const writer = await openWriter();
    try {
      await failIn(writer, subtasks[0].id);
      // The mark is already there: the writer's INSERT IGNORE share-locks it until its commit.
      await markIn(writer, task.id);

      const sweep = app.sweep();
      expect(await settledWithin(sweep, 500)).toBe(false);
      await writer.commitTransaction();
      await sweep;
    } finally {
      await writer.release();
    }

    expect(await storedStatus(task.id)).toBe('failed');
    expect(await app.marks()).toEqual([]);
  });

  it('does not wait for a writer that has not marked yet; the writer’s mark, made after the sweep, is left for the next one', async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, { state: 'running' }, { status: 'running' });
    await markCommitted(task.id);
    const writer = await openWriter();
    try {
      await failIn(writer, subtasks[0].id);

      // A share-locking read of the subtasks would wait here for the writer's row lock.
      const sweep = app.sweep();
      expect(await settledWithin(sweep, 5_000)).toBe(true);
      expect(await storedStatus(task.id)).toBe('running');

      await markIn(writer, task.id);
      await writer.commitTransaction();
    } finally {
      await writer.release();
    }

    expect((await app.marks()).map((m) => m.task_id)).toEqual([task.id]);
    await app.sweep();
    expect(await storedStatus(task.id)).toBe('failed');
    expect(await app.marks()).toEqual([]);
  });

  it('a writer that marks while the sweep holds the claimed mark waits for the sweep and leaves a fresh mark', async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, { state: 'running' }, { status: 'running' });
    await markCommitted(task.id);
    const tx = app.get(TransactionRunner);
    const marks = app.get(StatusMarkRepository);
    let claimed!: () => void;
    const afterClaim = new Promise<void>((resolve) => (claimed = resolve));
    let proceed!: () => void;
    const held = new Promise<void>((resolve) => (proceed = resolve));
    // The sweep's own refresh, held between taking the mark and reading the subtasks.
    const sweep = tx.run((em) =>
      app.get(TaskStatusService).refreshMarked(em, [task.id], async (ids) => {
        const taken = await marks.claim(em, ids, tx.lockMode());
        claimed();
        await held;
        return taken;
      }),
    );
    await afterClaim;
    const writer = await openWriter();
    try {
      await failIn(writer, subtasks[0].id);
      const marking = markIn(writer, task.id);
      expect(await settledWithin(marking, 500)).toBe(false);

      // The sweep reads and commits while the writer is still open, so it does not see the change.
      proceed();
      expect(await sweep).toEqual([]);
      expect(await storedStatus(task.id)).toBe('running');
      await marking;
      await writer.commitTransaction();
    } finally {
      await writer.release();
    }

    expect((await app.marks()).map((m) => m.task_id)).toEqual([task.id]);
    await app.sweep();
    expect(await storedStatus(task.id)).toBe('failed');
  });
});
