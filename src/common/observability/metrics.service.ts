import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per app instance (tests boot several in one process). Task and subtask counts are
 * read from the database at scrape time, so every replica reports the same truth.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly dispatchAttempts = new Counter({
    name: 'dispatch_attempts_total',
    help: 'Calls to the ops service by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly reportsReceived = new Counter({
    name: 'subtask_reports_total',
    help: 'Subtask status reports received, by whether they were applied',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  // --- Event journal ---
  /** The write side increments it for each event it appends, in the transaction's success path. */
  readonly eventsWritten = new Counter({
    name: 'events_written_total',
    help: 'Events appended to the journal, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  readonly eventStreamSubscribers = new Gauge({
    name: 'event_stream_subscribers',
    help: 'Open event streams on this replica',
    registers: [this.registry],
  });

  readonly eventsDelivered = new Counter({
    name: 'events_delivered_total',
    help: 'Events written to event stream subscribers (replayed and live)',
    registers: [this.registry],
  });

  readonly eventSubscribersDropped = new Counter({
    name: 'event_stream_dropped_total',
    help: 'Event streams ended because the subscriber did not read and its buffer filled',
    registers: [this.registry],
  });

  readonly journalQueries = new Counter({
    name: 'journal_queries_total',
    help: 'Queries on the event journal, by purpose (sequence, tail, replay, history, availability, prune)',
    labelNames: ['query'] as const,
    registers: [this.registry],
  });

  /** Where the gauges below read their counts; the repositories that own the tables provide them. */
  private readonly counts: Partial<Record<'tasksByStatus' | 'subtasksByState', () => Promise<Map<string, number>>>> = {};

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const counts = this.counts;
    new Gauge({
      name: 'tasks_by_status',
      help: 'Live (not deleted) tasks by derived status',
      labelNames: ['status'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [status, n] of (await counts.tasksByStatus?.()) ?? []) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'subtasks_by_state',
      help: 'Subtasks of live tasks by observed state',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [state, n] of (await counts.subtasksByState?.()) ?? []) this.set({ state }, n);
      },
    });
  }

  /** Gives a gauge its source of counts (read when /metrics is scraped). */
  countFrom(gauge: 'tasksByStatus' | 'subtasksByState', source: () => Promise<Map<string, number>>): void {
    this.counts[gauge] = source;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequests.inc({ method, route, status: String(status) });
    this.httpDuration.observe({ method, route }, seconds);
  }
}
