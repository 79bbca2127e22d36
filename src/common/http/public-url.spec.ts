import { isLoopbackHost, listenUrl, publicUrlWarnings } from './public-url';

const config = (host: string, port: number, opsBaseUrl: string | null, publicBaseUrl: string) =>
  ({ http: { host, port, bodyLimitBytes: 1 }, dispatch: { opsBaseUrl, publicBaseUrl } }) as unknown as Parameters<typeof publicUrlWarnings>[0];

describe('public URL checks', () => {
  it('knows loopback hosts', () => {
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', 'api.localhost'].map(isLoopbackHost)).toEqual([true, true, true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.5', 'tasks.internal', '::'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });

  it('names where the service listens, a wildcard host as loopback', () => {
    expect(listenUrl('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(listenUrl('::', 3000)).toBe('http://[::1]:3000');
    expect(listenUrl('10.0.0.5', 8080)).toBe('http://10.0.0.5:8080');
  });

  it('says nothing without an ops service, or when it can call back', () => {
    expect(publicUrlWarnings(config('0.0.0.0', 3000, null, 'http://127.0.0.1:3000'))).toEqual([]);
    expect(publicUrlWarnings(config('0.0.0.0', 3000, 'http://ops.internal:4000', 'http://tasks.internal:3000'))).toEqual([]);
    expect(publicUrlWarnings(config('127.0.0.1', 3000, 'http://127.0.0.1:4000', 'http://127.0.0.1:3000'))).toEqual([]);
  });

  it('warns when a remote ops service would report to a loopback address or to a loopback-only listener', () => {
    const [loopback] = publicUrlWarnings(config('0.0.0.0', 3000, 'http://10.0.0.9:4000', 'http://127.0.0.1:3000'));
    expect(loopback).toMatch(/PUBLIC_BASE_URL \(http:\/\/127\.0\.0\.1:3000\) is a loopback address/);
    expect(publicUrlWarnings(config('127.0.0.1', 3000, 'http://10.0.0.9:4000', 'http://tasks.internal:3000'))).toEqual([
      expect.stringMatching(/HOST=127\.0\.0\.1 accepts connections from this machine only/),
    ]);
  });

  it('warns about a loopback PUBLIC_BASE_URL on another port than the service', () => {
    expect(publicUrlWarnings(config('0.0.0.0', 3000, 'http://127.0.0.1:4000', 'http://localhost:8080'))).toEqual([expect.stringMatching(/another port/)]);
  });
});
