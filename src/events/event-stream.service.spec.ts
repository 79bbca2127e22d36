import type { FastifyReply } from 'fastify';
import { EventEmitter } from 'node:events';
import type { AppConfig } from '../config/app-config';
import type { TransactionRunner } from '../database/transaction.runner';
import { MetricsService } from '../common/observability/metrics.service';
import type { JournalFilter, JournalRepository } from '../journal/journal.repository';
import type { JournalEventEntity } from '../journal/journal-event.entity';
import { EventStreamService } from './event-stream.service';

const row = (seq: number, task_id = 't1'): JournalEventEntity => ({
  seq: String(seq),
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, seq)),
  kind: 'subtask.state',
  task_id,
  subtask_id: 's1',
  from_value: 'dispatching',
  to_value: 'running',
  generation: 1,
  reason: null,
  actor_type: 'ops',
  actor_subject: null,
  actor_role: null,
});

/** A journal of `rows` that counts the queries it answers. */
function fakeJournal(rows: JournalEventEntity[], lastSeq: () => Promise<number> = () => Promise.resolve(0)) {
  const calls: JournalFilter[] = [];
  const journal = {
    lastSeq,
    findSequenced: (filter: JournalFilter, _order: string, limit: number) => {
      calls.push(filter);
      return Promise.resolve(
        rows.filter((r) => Number(r.seq) > (filter.after ?? 0) && (filter.atMost === undefined || Number(r.seq) <= filter.atMost)).slice(0, limit),
      );
    },
  };
  return { journal: journal as unknown as JournalRepository, calls };
}

/** A raw connection that takes everything. */
function fakeReply() {
  const raw = Object.assign(new EventEmitter(), {
    chunks: [] as string[],
    writeHead: () => undefined,
    write: (c: string) => (raw.chunks.push(c), true),
    end: () => undefined,
  });
  const reply = { raw, getHeaders: () => ({}), hijack: () => undefined } as unknown as FastifyReply;
  return { reply, raw };
}

/** Reads go straight to the journal, as on MySQL. */
const mysqlRunner = { isMysql: true } as TransactionRunner;
const config = { events: { streamBuffer: 1000, keepAliveMs: 60_000 }, time: { zone: 'Asia/Shanghai' } } as unknown as AppConfig;

describe('EventStreamService', () => {
  it('reads the journal once per tick whatever the number of subscribers, and gives each every event', async () => {
    const rows = [row(1), row(2), row(3, 't2')];
    const { journal, calls } = fakeJournal(rows);
    const service = new EventStreamService(journal, new MetricsService(), config, mysqlRunner);
    await service.onModuleInit();
    const clients = Array.from({ length: 50 }, () => fakeReply());
    for (const { reply } of clients) await service.serve(reply, {}, null);
    expect(service.subscriberCount).toBe(50);
    calls.length = 0;
    await service.nudge();
    expect(calls).toHaveLength(1);
    for (const { raw } of clients) {
      // One write for the pass, its frames in order.
      const written = raw.chunks.filter((c) => c.startsWith('id: '));
      expect(written).toHaveLength(1);
      expect([...written[0].matchAll(/^id: (\d{20})$/gm)].map((m) => m[1])).toEqual(['00000000000000000001', '00000000000000000002', '00000000000000000003']);
    }
    // Nothing new: still one query per tick.
    await service.nudge();
    expect(calls).toHaveLength(2);
    for (const { raw } of clients) raw.emit('close');
    expect(service.subscriberCount).toBe(0);
    await service.onModuleDestroy();
  });

  it('with no subscriber moves its position without reading events; one that joins then gets only later ones', async () => {
    const rows = [row(1), row(2), row(3)];
    let last = 0;
    const { journal, calls } = fakeJournal(rows, () => Promise.resolve(last));
    const service = new EventStreamService(journal, new MetricsService(), config, mysqlRunner);
    await service.onModuleInit();
    last = 2;
    await service.nudge();
    expect(calls).toEqual([]);
    expect(service.lastSeen).toBe(2);
    const { reply, raw } = fakeReply();
    await service.serve(reply, {}, null);
    await service.nudge();
    expect(raw.chunks.join('').match(/^id: \d+$/gm)).toEqual(['id: 00000000000000000003']);
    raw.emit('close');
    await service.onModuleDestroy();
  });

  it('reads the events after all when a subscriber joins while the position is being looked up', async () => {
    const rows = [row(1), row(2)];
    let answer!: (seq: number) => void;
    const { journal } = fakeJournal(rows, () => new Promise<number>((resolve) => (answer = resolve)));
    const service = new EventStreamService(journal, new MetricsService(), config, mysqlRunner);
    const init = service.onModuleInit();
    answer(0);
    await init;
    const pass = service.nudge();
    // Joins from position 0 while the idle pass waits for the last seq (2).
    const { reply, raw } = fakeReply();
    await service.serve(reply, {}, null);
    answer(2);
    await pass;
    expect(raw.chunks.join('').match(/^id: \d+$/gm)).toEqual(['id: 00000000000000000001', 'id: 00000000000000000002']);
    raw.emit('close');
    await service.onModuleDestroy();
  });

  it("on SQLite reads what the position moves on in the transactions' queue, so an open transaction's rows are never seen", async () => {
    const { journal } = fakeJournal([row(1)]);
    const queued: string[] = [];
    const sqliteRunner = {
      isMysql: false,
      run: <T>(work: () => Promise<T>) => {
        queued.push('read');
        return work();
      },
    } as unknown as TransactionRunner;
    const service = new EventStreamService(journal, new MetricsService(), config, sqliteRunner);
    await service.onModuleInit();
    await service.nudge();
    expect(queued).toEqual(['read']);
    const { reply } = fakeReply();
    await service.serve(reply, {}, null);
    await service.nudge();
    expect(queued).toEqual(['read', 'read']);
    await service.onModuleDestroy();
  });
});
