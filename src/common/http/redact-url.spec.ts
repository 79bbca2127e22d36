import { redactRequest, redactUrl } from './redact-url';

describe('redactUrl', () => {
  it('hides access_token wherever it stands in the query, and nothing else', () => {
    expect(redactUrl('/events/stream?access_token=s3cret')).toBe('/events/stream?access_token=[REDACTED]');
    expect(redactUrl('/events/stream?task_id=a&access_token=s3cret&kind=task.desired')).toBe(
      '/events/stream?task_id=a&access_token=[REDACTED]&kind=task.desired',
    );
    expect(redactUrl('/events/stream?ACCESS_TOKEN=x')).toBe('/events/stream?ACCESS_TOKEN=[REDACTED]');
    expect(redactUrl('/tasks?keyword=access_token')).toBe('/tasks?keyword=access_token');
  });

  it('redacts the serialized request pino-http logs', () => {
    expect(redactRequest({ url: '/events/stream?access_token=abc', query: { access_token: 'abc', after: '1' } })).toEqual({
      url: '/events/stream?access_token=[REDACTED]',
      query: { access_token: '[REDACTED]', after: '1' },
    });
  });
});
