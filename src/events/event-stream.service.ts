import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../common/observability/metrics.service';
import { TransactionRunner } from '../database/transaction.runner';
import { JournalRepository } from '../journal/journal.repository';
import type { JournalEventEntity } from '../journal/journal-event.entity';
import { StreamFilter, StreamItem, StreamSubscription } from './domain/fan-out';
import { sseFrame, toWireEvent } from './domain/wire-event';

/** Rows per tail query; a fuller backlog is read in several queries in the same tick. */
export const TAIL_BATCH = 1000;

/** How long a pass waits after a local commit of events, so that a burst of commits shares it. */
const COMMIT_NUDGE_DELAY_MS = 5;

/**
 * The replica's live feed: one tail query per EVENT_TICK_MS (`seq > last seen`, whatever the
 * number of subscribers) and right after this replica commits events, each new event rendered
 * once and handed to every local subscription in memory. Events commit in seq order (see
 * JournalEventEntity), so what one replica wrote reaches every other replica's tail in order.
 */
@Injectable()
export class EventStreamService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventStreamService.name);
  private position = 0;
  private readonly subscriptions = new Set<StreamSubscription>();
  private timer: NodeJS.Timeout | null = null;
  private commitNudge: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(
    private readonly journal: JournalRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly tx: TransactionRunner,
  ) {}

  /**
   * A read the position moves on. SQLite's one connection would show it the rows of a transaction
   * still open, whose positions a rollback hands back: there it waits its turn among the
   * transactions, so it sees only committed rows.
   */
  private committedRead<T>(read: () => Promise<T>): Promise<T> {
    return this.tx.isMysql ? read() : this.tx.run(() => read());
  }

  async onModuleInit(): Promise<void> {
    this.position = await this.journal.lastSeq();
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.nudge(), this.config.events.tickMs);
    this.timer.unref();
    // Commits within COMMIT_NUDGE_DELAY_MS of each other share one pass; with no subscriber the tick is enough.
    this.journal.onCommitted(() => {
      if (this.commitNudge || this.stopped || this.subscriptions.size === 0) return;
      this.commitNudge = setTimeout(() => {
        this.commitNudge = null;
        void this.nudge();
      }, COMMIT_NUDGE_DELAY_MS);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.commitNudge) clearTimeout(this.commitNudge);
    for (const subscription of [...this.subscriptions]) subscription.end('shutdown');
    await this.running;
  }

  /** A pass now (or right after the one under way); resolves when it is done. */
  nudge(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.tail();
      } catch (error) {
        this.logger.warn({ err: error }, 'event journal tail failed; retried next tick');
      }
    } while (this.again && !this.stopped);
  }

  /** The seq this replica has delivered up to. */
  get lastSeen(): number {
    return this.position;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  /** Reads what committed since the last call and fans it out (passes go through `nudge`, one at a time). */
  private async tail(): Promise<void> {
    if (this.subscriptions.size === 0) {
      // Nobody to hand events to: only the position moves (every seq below next_seq has committed,
      // since the sequence row is updated in the transaction that inserts them). A subscriber that
      // joined meanwhile started from the old position, so then the events are read after all.
      this.metrics.journalQueries.inc({ query: 'tail' });
      const last = await this.committedRead(() => this.journal.lastSeq());
      if (this.subscriptions.size === 0) {
        this.position = Math.max(this.position, last);
        return;
      }
    }
    for (;;) {
      this.metrics.journalQueries.inc({ query: 'tail' });
      const rows = await this.committedRead(() => this.journal.findSequenced({ after: this.position }, 'ASC', TAIL_BATCH));
      if (rows.length === 0) return;
      const items = rows.map((row) => this.item(row));
      this.position = items[items.length - 1].seq;
      for (const subscription of this.subscriptions) subscription.publishAll(items);
      if (rows.length < TAIL_BATCH) return;
    }
  }

  /**
   * Serves one stream on the raw connection: headers, the journal after `after` (null: from what
   * this replica has seen, i.e. live only), then live events, keep-alive comments, until the client
   * leaves, its buffer overflows or the app shuts down.
   */
  async serve(reply: FastifyReply, filter: StreamFilter, after: number | null): Promise<void> {
    const res = reply.raw;
    // Headers set by the onRequest hooks (security headers, CORS, request id) go out with the stream.
    const inherited = reply.getHeaders() as OutgoingHttpHeaders;
    reply.hijack();
    res.writeHead(200, {
      ...inherited,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 3000\n: connected\n\n`);

    const start = this.position;
    const subscription = new StreamSubscription(
      filter,
      after ?? start,
      { write: (chunk) => res.write(chunk), end: () => res.end() },
      this.config.events.streamBuffer,
      {
        delivered: (n) => this.metrics.eventsDelivered.inc(n),
        ended: (reason) => {
          this.subscriptions.delete(subscription);
          this.metrics.eventStreamSubscribers.dec();
          clearInterval(keepAlive);
          if (reason === 'overflow') this.metrics.eventSubscribersDropped.inc();
        },
      },
    );
    // Joined synchronously with reading `start`: every event after it reaches the subscription live.
    this.subscriptions.add(subscription);
    this.metrics.eventStreamSubscribers.inc();
    const keepAlive = setInterval(() => subscription.keepAlive(), this.config.events.keepAliveMs);
    res.on('drain', () => subscription.drained());
    res.on('close', () => subscription.end('closed'));

    const page = Math.min(TAIL_BATCH, this.config.events.streamBuffer);
    try {
      while (!subscription.ended && subscription.position < start) {
        this.metrics.journalQueries.inc({ query: 'replay' });
        const rows = await this.journal.findSequenced({ ...filter, after: subscription.position, atMost: start }, 'ASC', page);
        subscription.replay(rows.map((row) => this.item(row)));
        if (rows.length < page) break;
        await subscription.writable();
      }
      subscription.goLive();
    } catch {
      subscription.end('shutdown');
    }
  }

  private item(row: JournalEventEntity): StreamItem {
    const event = toWireEvent(row, this.config.time.zone);
    return { seq: Number(row.seq), task_id: row.task_id, kind: row.kind, frame: sseFrame(event) };
  }
}
