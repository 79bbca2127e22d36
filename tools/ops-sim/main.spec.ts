import { CliError, parseCliOptions } from './main';

describe('ops-sim CLI options', () => {
  it('defaults the port to 4000 and the token to INTERNAL_TOKEN', () => {
    expect(parseCliOptions([], { INTERNAL_TOKEN: 'tok' })).toEqual({ port: 4000, reportToken: 'tok' });
  });

  it('reads every flag', () => {
    const options = parseCliOptions(
      [
        '--port=0',
        '--latency-ms',
        '25',
        '--error-rate',
        '0.25',
        '--crash-probability',
        '1',
        '--report-interval-ms',
        '200',
        '--report-url',
        'http://127.0.0.1:3000/internal/reports',
        '--report-token',
        'abc',
        '--complete-after-ms',
        '5000',
        '--report-batch-size',
        '50',
      ],
      {},
    );
    expect(options).toEqual({
      port: 0,
      latencyMs: 25,
      errorRate: 0.25,
      crashProbability: 1,
      reportIntervalMs: 200,
      reportUrl: 'http://127.0.0.1:3000/internal/reports',
      reportToken: 'abc',
      completeAfterMs: 5000,
      reportBatchSize: 50,
    });
  });

  it('falls back to OPS_SIM_* variables, flags winning', () => {
    const env = { OPS_SIM_PORT: '4100', OPS_SIM_ERROR_RATE: '0.5', OPS_SIM_REPORT_TOKEN: 'env-tok', INTERNAL_TOKEN: 'internal' };
    expect(parseCliOptions(['--error-rate', '0.1'], env)).toEqual({ port: 4100, errorRate: 0.1, reportToken: 'env-tok' });
  });

  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['--error-rate', '1.5'], {}, /--error-rate must be a number between 0 and 1, got "1.5"/],
    [['--crash-probability', 'often'], {}, /--crash-probability must be a number between 0 and 1/],
    [[], { OPS_SIM_CRASH_PROBABILITY: '-0.1' }, /OPS_SIM_CRASH_PROBABILITY must be a number between 0 and 1/],
    [['--port', '70000'], {}, /--port must be an integer between 0 and 65535/],
    [[], { OPS_SIM_PORT: '0x10' }, /OPS_SIM_PORT must be an integer/],
    [['--latency-ms', '1.5'], {}, /--latency-ms must be an integer/],
    [['--report-interval-ms', '0'], {}, /--report-interval-ms must be an integer between 1/],
    [['--report-batch-size', '0'], {}, /--report-batch-size must be an integer between 1/],
    [['--report-url', 'ftp://x'], {}, /--report-url must be an http\(s\) URL/],
    [['--bogus'], {}, /Unknown option '--bogus'/],
    [['extra'], {}, /positional/i],
  ])('refuses %j %j', (argv, env, message) => {
    expect(() => parseCliOptions(argv, env)).toThrow(CliError);
    expect(() => parseCliOptions(argv, env)).toThrow(message);
  });

  it('recognises --help', () => {
    expect(parseCliOptions(['--help'], {})).toBe('help');
  });
});
