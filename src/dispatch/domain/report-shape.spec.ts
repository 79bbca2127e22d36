import { ValidationPipe } from '@nestjs/common';
import { inspectRawInput } from '../../common/validation/raw-input';
import { validationOptions } from '../../common/validation/validation-options';
import { SubtaskReportsDto } from '../dto/report.dto';
import { isWellFormedReportBatch } from './report-shape';
import { seededRandom } from '../../common/testing/seeded-random';

/** What the validation pipe makes of a body when it takes the long way: the raw-input check, then class-transformer and class-validator. */
const fullValidation = new ValidationPipe(validationOptions);
async function validatesInFull(body: unknown): Promise<boolean> {
  if (typeof body === 'object' && body !== null && inspectRawInput(body).length) return false;
  try {
    await fullValidation.transform(body, { type: 'body', metatype: SubtaskReportsDto });
    return true;
  } catch {
    return false;
  }
}

type Report = Record<string, unknown>;

function validReport(random: () => number, i: number): Report {
  const report: Report = {
    subtask_id: `01a2${String(i).padStart(4, '0')}-0000-7000-8000-00000000000${i % 10}`,
    generation: 1 + Math.floor(random() * 5),
    state: ['running', 'stopped', 'failed', 'completed'][Math.floor(random() * 4)],
    reported_at: random() < 0.5 ? new Date(1.7e12 + random() * 1e10).toISOString() : '2026-11-26 08:00:00.123',
  };
  if (random() < 0.5) report.status_reason = random() < 0.2 ? null : 'decoder restarted';
  if (random() < 0.5) report.progress = random() < 0.2 ? null : Math.floor(random() * 101);
  return report;
}

/** One change to a report each; most make it invalid, a few leave it valid. */
const REPORT_MUTATIONS: [string, (r: Report) => void][] = [
  ...['subtask_id', 'generation', 'state', 'reported_at'].map((k): [string, (r: Report) => void] => [`without ${k}`, (r) => delete r[k]]),
  ...['subtask_id', 'generation', 'state', 'reported_at'].map((k): [string, (r: Report) => void] => [`${k} null`, (r) => (r[k] = null)]),
  ['an unknown field', (r) => (r.extra = 1)],
  ['subtask_id empty', (r) => (r.subtask_id = '')],
  ['subtask_id 36 long', (r) => (r.subtask_id = 'a'.repeat(36))],
  ['subtask_id 37 long', (r) => (r.subtask_id = 'a'.repeat(37))],
  ['subtask_id with a line break', (r) => (r.subtask_id = 'abc\ndef')],
  ['subtask_id with U+2028', (r) => (r.subtask_id = 'abc\u2028def')],
  ['subtask_id a number', (r) => (r.subtask_id = 12)],
  ['subtask_id an array', (r) => (r.subtask_id = ['x'])],
  ['generation 0', (r) => (r.generation = 0)],
  ['generation -1', (r) => (r.generation = -1)],
  ['generation 1.5', (r) => (r.generation = 1.5)],
  ['generation "1"', (r) => (r.generation = '1')],
  ['generation true', (r) => (r.generation = true)],
  ['generation huge', (r) => (r.generation = 2 ** 53)],
  ['state lost', (r) => (r.state = 'lost')],
  ['state RUNNING', (r) => (r.state = 'RUNNING')],
  ['state a number', (r) => (r.state = 1)],
  ['status_reason 1024 long', (r) => (r.status_reason = 'r'.repeat(1024))],
  ['status_reason 1025 long', (r) => (r.status_reason = 'r'.repeat(1025))],
  ['status_reason of 700 emoji', (r) => (r.status_reason = '📷'.repeat(700))],
  ['status_reason a number', (r) => (r.status_reason = 5)],
  ['status_reason an object', (r) => (r.status_reason = { a: 1 })],
  ['status_reason with control characters', (r) => (r.status_reason = 'line1\nline2\u0000')],
  ['progress -1', (r) => (r.progress = -1)],
  ['progress 101', (r) => (r.progress = 101)],
  ['progress 50.5', (r) => (r.progress = 50.5)],
  ['progress "50"', (r) => (r.progress = '50')],
  ['progress NaN', (r) => (r.progress = NaN)],
  ['reported_at 30 February', (r) => (r.reported_at = '2026-02-30 10:00:00')],
  ['reported_at 25:00', (r) => (r.reported_at = '2026-02-03 25:00:00')],
  ['reported_at without an offset', (r) => (r.reported_at = '2026-02-03T10:00:00')],
  ['reported_at a number', (r) => (r.reported_at = 1764000000000)],
  ['reported_at empty', (r) => (r.reported_at = '')],
  ['reported_at with 9 decimals', (r) => (r.reported_at = '2026-02-03T10:00:00.123456789+08:00')],
  ['reported_at year 0001', (r) => (r.reported_at = '0001-01-01 00:00:00')],
];

/** The body as JSON text with one piece replaced, parsed again (keys that only JSON.parse makes own properties). */
const reparsed = (body: unknown, from: string, to: string): unknown => JSON.parse(JSON.stringify(body).replace(from, to)) as unknown;

/** Changes to the batch around the reports. */
const BATCH_MUTATIONS: [string, (b: Record<string, unknown>) => unknown][] = [
  ['no reports', (b) => ({ ...b, reports: [] })],
  ['1,000 reports', (b) => ({ reports: Array.from({ length: 1000 }, (_, i) => (b.reports as Report[])[i % (b.reports as Report[]).length]) })],
  ['1,001 reports', (b) => ({ reports: Array.from({ length: 1001 }, (_, i) => (b.reports as Report[])[i % (b.reports as Report[]).length]) })],
  ['reports an object', () => ({ reports: { 0: {} } })],
  ['reports missing', () => ({})],
  ['a field beside reports', (b) => ({ ...b, extra: true })],
  ['a null report', (b) => ({ reports: [...(b.reports as Report[]), null] })],
  ['an array as a report', (b) => ({ reports: [...(b.reports as Report[]), []] })],
  ['a string as a report', (b) => ({ reports: [...(b.reports as Report[]), 'x'] })],
  ['the body an array', (b) => [b]],
  ['the body null', () => null],
  ['__proto__ in a report', (b) => reparsed(b, '{"subtask_id"', '{"__proto__":{"x":1},"subtask_id"')],
  ['constructor in a report', (b) => reparsed(b, '{"subtask_id"', '{"constructor":1,"subtask_id"')],
  ['toString beside reports', (b) => reparsed(b, '{"reports"', '{"toString":1,"reports"')],
];

describe('isWellFormedReportBatch: never accepts what full validation refuses', () => {
  const random = seededRandom(11);
  const batch = (size: number) => ({ reports: Array.from({ length: size }, (_, i) => validReport(random, i)) });

  it('accepts valid batches, which full validation accepts too', async () => {
    for (let n = 0; n < 50; n++) {
      const body = batch(1 + Math.floor(random() * 20));
      expect([isWellFormedReportBatch(body), await validatesInFull(body)]).toEqual([true, true]);
    }
  });

  it.each(REPORT_MUTATIONS)('a report with %s: accepted only if full validation accepts it', async (_name, mutate) => {
    for (let n = 0; n < 10; n++) {
      const body = batch(1 + Math.floor(random() * 5));
      mutate(body.reports[Math.floor(random() * body.reports.length)]);
      const parsed: unknown = JSON.parse(JSON.stringify(body));
      if (isWellFormedReportBatch(parsed)) expect(await validatesInFull(parsed)).toBe(true);
    }
  });

  it.each(BATCH_MUTATIONS)('a batch with %s: accepted only if full validation accepts it', async (_name, mutate) => {
    const body = mutate(batch(3));
    if (isWellFormedReportBatch(body)) expect(await validatesInFull(body)).toBe(true);
  });

  it('refuses the mutations that make a report invalid, so they get their field errors', async () => {
    const refusedByBoth: string[] = [];
    for (const [name, mutate] of REPORT_MUTATIONS) {
      const body = batch(2);
      mutate(body.reports[0]);
      const parsed: unknown = JSON.parse(JSON.stringify(body));
      if (!(await validatesInFull(parsed))) {
        expect([name, isWellFormedReportBatch(parsed)]).toEqual([name, false]);
        refusedByBoth.push(name);
      }
    }
    // The cases above are mostly invalid ones; this keeps the list from silently turning valid.
    expect(refusedByBoth.length).toBeGreaterThanOrEqual(35);
  });
});
