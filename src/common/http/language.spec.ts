import { resolveLanguage } from './language';

describe('resolveLanguage', () => {
  it.each([
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['en-US', 'en'],
    ['EN-gb', 'en'],
    ['zh', 'zh-CN'],
    ['zh-TW', 'zh-CN'],
    ['zh-CN', 'zh-CN'],
    ['fr-FR', 'zh-CN'],
    ['fr-FR, en;q=0.5', 'en'],
    ['zh-CN;q=0.4, en;q=0.8', 'en'],
    ['en;q=0, zh', 'zh-CN'],
    ['*', 'zh-CN'],
  ])('%p → %p with zh-CN as default', (header, expected) => {
    expect(resolveLanguage(header, 'zh-CN')).toBe(expected);
  });

  it('uses the configured default for unknown languages', () => {
    expect(resolveLanguage('de', 'en')).toBe('en');
    expect(resolveLanguage(['de', 'zh'], 'en')).toBe('zh-CN');
  });
});
