import { SignJWT } from 'jose';
import { createApp } from '../src/bootstrap';
import { ConfigError } from '../src/config/app-config';
import { INTERNAL_TOKEN, TestApp, TestResponse } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { mtask, scene, videoTask } from './support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- bodies built field by field

/** The video task fixture with one change made to a copy of it. */
function taskWith(change: (body: Json) => void): Json {
  const body = structuredClone(videoTask()) as Json;
  change(body);
  return body;
}

const firstScene = (change: (s: Json) => void) => taskWith((b) => change(b.mtasks[0].scenes[0]));

const nestedArray = (levels: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

const DTD = '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>';

interface Case {
  name: string;
  method?: string;
  url?: string;
  body?: unknown;
  raw?: string;
  token?: string;
  field: string;
  en: string | RegExp;
  zh: string | RegExp;
}

const DOCTYPE_EN = 'must not contain a DOCTYPE (document type declarations and entities are not accepted)';
const DOCTYPE_ZH = '不能包含 DOCTYPE（不接受文档类型声明和实体）';
const CONTROL_EN = 'must not contain control characters (such as NUL, tab or line breaks)';
const CONTROL_ZH = '不能包含控制字符（如 NUL、制表符或换行符）';
const LINKS_EN = 'must be a flat list of scene ids (strings of 1 to 64 characters) or preset numbers (0 to 100000)';
const LINKS_ZH = '必须是由场景 ID（1 到 64 个字符的字符串）或预置位编号（0 到 100000）组成的一维列表';
const SCENE = 'mtasks[0].scenes[0]';

/** Each names the one field at fault and the rule that actually failed, in both languages. */
const CASES: Case[] = [
  // required
  { name: 'an empty body', body: {}, field: 'task_name', en: 'task_name is required', zh: 'task_name 为必填项' },
  { name: 'a missing task_name', body: videoTask({ task_name: undefined }), field: 'task_name', en: 'task_name is required', zh: 'task_name 为必填项' },
  { name: 'a null task_name', body: videoTask({ task_name: null }), field: 'task_name', en: 'task_name is required', zh: 'task_name 为必填项' },
  { name: 'a missing run_dt', body: videoTask({ run_dt: undefined }), field: 'run_dt', en: 'run_dt is required', zh: 'run_dt 为必填项' },
  {
    name: 'a missing vchan_refid',
    body: videoTask({ vchans: [{ name: 'x' }] }),
    field: 'vchans[0].vchan_refid',
    en: 'vchans[0].vchan_refid is required',
    zh: 'vchans[0].vchan_refid 为必填项',
  },
  // wrong type
  { name: 'algo_type as a number', body: videoTask({ algo_type: 1 }), field: 'algo_type', en: 'algo_type must be a string', zh: 'algo_type 必须是字符串' },
  {
    name: 'store_conf_unid as an object',
    body: videoTask({ store_conf_unid: {} }),
    field: 'store_conf_unid',
    en: 'store_conf_unid must be a string',
    zh: 'store_conf_unid 必须是字符串',
  },
  { name: 'vchans as an object', body: videoTask({ vchans: {} }), field: 'vchans', en: 'vchans must be an array', zh: 'vchans 必须是数组' },
  { name: 'mtasks as a string', body: videoTask({ mtasks: 'x' }), field: 'mtasks', en: 'mtasks must be an array', zh: 'mtasks 必须是数组' },
  { name: 'limit=abc', method: 'GET', url: '/tasks?limit=abc', field: 'limit', en: 'limit must be an integer', zh: 'limit 必须是整数' },
  {
    name: 'node_count as a string',
    body: videoTask({ node_count: '3' }),
    field: 'node_count',
    en: 'node_count must be an integer',
    zh: 'node_count 必须是整数',
  },
  {
    name: 'is_ptz as a string',
    body: videoTask({ vchans: [{ vchan_refid: 'ch-1', is_ptz: 'yes' }] }),
    field: 'vchans[0].is_ptz',
    en: 'vchans[0].is_ptz must be a boolean (true or false)',
    zh: 'vchans[0].is_ptz 必须是布尔值（true 或 false）',
  },
  { name: 'play_url as a number', body: videoTask({ play_url: 5 }), field: 'play_url', en: 'play_url must be a string', zh: 'play_url 必须是字符串' },
  {
    name: 'algo_args as an array',
    body: firstScene((s) => (s.algo_args = [])),
    field: `${SCENE}.algo_args`,
    en: `${SCENE}.algo_args must be an object`,
    zh: `${SCENE}.algo_args 必须是对象`,
  },
  {
    name: 'callibration as a string',
    body: firstScene((s) => (s.callibration = 'x')),
    field: `${SCENE}.callibration`,
    en: `${SCENE}.callibration must be an object`,
    zh: `${SCENE}.callibration 必须是对象`,
  },
  // not one of the values
  {
    name: 'an unknown source_type',
    body: videoTask({ source_type: 'camera' }),
    field: 'source_type',
    en: 'source_type must be one of: pull_video_stream, pull_pic_files, push_pic_files',
    zh: 'source_type 必须是以下取值之一：pull_video_stream, pull_pic_files, push_pic_files',
  },
  {
    name: 'an unknown mtask type',
    body: videoTask({ mtasks: [mtask({ type: 7 })] }),
    field: 'mtasks[0].type',
    en: 'mtasks[0].type must be one of: 0, 1, 2',
    zh: 'mtasks[0].type 必须是以下取值之一：0, 1, 2',
  },
  {
    name: 'an unknown status filter',
    method: 'GET',
    url: '/tasks?status=sleeping',
    field: 'status',
    // The list itself is the status model's; what matters here is that the message lists it.
    en: /^status must be one of: unconfigured(, [a-z_]+){3,}$/,
    zh: /^status 必须是以下取值之一：unconfigured(, [a-z_]+){3,}$/,
  },
  // too long / too short / empty
  {
    name: 'a long task_name',
    body: videoTask({ task_name: 'x'.repeat(256) }),
    field: 'task_name',
    en: 'task_name is too long (at most 255 characters)',
    zh: 'task_name 过长（最多 255 个字符）',
  },
  { name: 'a blank task_name', body: videoTask({ task_name: '   ' }), field: 'task_name', en: 'task_name must not be empty', zh: 'task_name 不能为空' },
  {
    name: 'a long store_conf_unid',
    body: videoTask({ store_conf_unid: 'x'.repeat(129) }),
    field: 'store_conf_unid',
    en: 'store_conf_unid is too long (at most 128 characters)',
    zh: 'store_conf_unid 过长（最多 128 个字符）',
  },
  // too large / too small
  { name: 'limit=101', method: 'GET', url: '/tasks?limit=101', field: 'limit', en: 'limit is too large (at most 100)', zh: 'limit 过大（最大为 100）' },
  { name: 'limit=0', method: 'GET', url: '/tasks?limit=0', field: 'limit', en: 'limit is too small (at least 1)', zh: 'limit 过小（最小为 1）' },
  { name: 'offset=-1', method: 'GET', url: '/tasks?offset=-1', field: 'offset', en: 'offset is too small (at least 0)', zh: 'offset 过小（最小为 0）' },
  {
    name: 'a preset of 100001',
    body: firstScene((s) => (s.preset = 100001)),
    field: `${SCENE}.preset`,
    en: `${SCENE}.preset is too large (at most 100000)`,
    zh: `${SCENE}.preset 过大（最大为 100000）`,
  },
  {
    name: '65 ROIs',
    body: firstScene((s) => (s.rois = Array.from({ length: 65 }, () => ({ roi: '<r/>' })))),
    field: `${SCENE}.rois`,
    en: `${SCENE}.rois has too many items (at most 64)`,
    zh: `${SCENE}.rois 元素过多（最多 64 个）`,
  },
  // bad format
  {
    name: 'an ftp play_url',
    body: videoTask({ play_url: 'ftp://10.0.0.5/live' }),
    field: 'play_url',
    en: 'play_url must be a URL with scheme rtsp, rtsps, rtmp, http, https',
    zh: 'play_url 必须是协议为 rtsp, rtsps, rtmp, http, https 的 URL',
  },
  {
    name: 'a play_url with a line break',
    body: videoTask({ play_url: 'rtsp://10.0.0.5/li\nve' }),
    field: 'play_url',
    en: 'play_url must be a URL with scheme rtsp, rtsps, rtmp, http, https',
    zh: 'play_url 必须是协议为 rtsp, rtsps, rtmp, http, https 的 URL',
  },
  {
    name: 'a run_dt in another format',
    body: videoTask({ run_dt: '03/12/2018 10:27' }),
    field: 'run_dt',
    en: 'run_dt must be a date-time YYYY-MM-DD HH:mm:ss.SSS (or ISO-8601 with an offset)',
    zh: 'run_dt 必须是日期时间 YYYY-MM-DD HH:mm:ss.SSS（或带时区偏移的 ISO-8601）',
  },
  {
    name: 'a start_time of 25:00:00',
    body: videoTask({ mtasks: [mtask({ start_time: '25:00:00' })] }),
    field: 'mtasks[0].start_time',
    en: 'mtasks[0].start_time must be a time of day HH:mm:ss',
    zh: 'mtasks[0].start_time 必须是时间 HH:mm:ss',
  },
  // unknown fields, including the ones object transformation would drop
  { name: 'an unknown field', body: videoTask({ colour: 'red' }), field: 'colour', en: 'colour is not a known field', zh: 'colour 是未知字段' },
  {
    name: 'a top-level constructor',
    raw: JSON.stringify(videoTask()).replace('{', '{"constructor":"x",'),
    field: 'constructor',
    en: 'constructor is not a known field',
    zh: 'constructor 是未知字段',
  },
  {
    name: 'constructor in algo_args',
    body: firstScene((s) => (s.algo_args = JSON.parse('{"constructor":1}'))),
    field: `${SCENE}.algo_args.constructor`,
    en: `${SCENE}.algo_args.constructor is not a known field`,
    zh: `${SCENE}.algo_args.constructor 是未知字段`,
  },
  {
    name: 'toString in algo_args',
    body: firstScene((s) => (s.algo_args = { toString: 'x' })),
    field: `${SCENE}.algo_args.toString`,
    en: `${SCENE}.algo_args.toString is not a known field`,
    zh: `${SCENE}.algo_args.toString 是未知字段`,
  },
  {
    name: 'hasOwnProperty in algo_args',
    body: firstScene((s) => (s.algo_args = { hasOwnProperty: 1 })),
    field: `${SCENE}.algo_args.hasOwnProperty`,
    en: `${SCENE}.algo_args.hasOwnProperty is not a known field`,
    zh: `${SCENE}.algo_args.hasOwnProperty 是未知字段`,
  },
  {
    name: 'a valueOf in a channel',
    body: videoTask({ vchans: [{ vchan_refid: 'ch-1', valueOf: 1 }] }),
    field: 'vchans[0].valueOf',
    en: 'vchans[0].valueOf is not a known field',
    zh: 'vchans[0].valueOf 是未知字段',
  },
  {
    name: 'a __proto__ key',
    raw: JSON.stringify(videoTask()).replace('"algo_args":{}', '"algo_args":{"__proto__":{"role":"admin"}}'),
    field: `${SCENE}.algo_args.__proto__`,
    en: `${SCENE}.algo_args.__proto__ is not a known field`,
    zh: `${SCENE}.algo_args.__proto__ 是未知字段`,
  },
  {
    name: 'a constructor.prototype key',
    raw: JSON.stringify(videoTask()).replace('{', '{"constructor":{"prototype":{"x":1}},'),
    field: 'constructor',
    en: 'constructor is not a known field',
    zh: 'constructor 是未知字段',
  },
  // control characters
  {
    name: 'NUL in task_name',
    body: videoTask({ task_name: 'North\u0000gate' }),
    field: 'task_name',
    en: `task_name ${CONTROL_EN}`,
    zh: `task_name ${CONTROL_ZH}`,
  },
  {
    name: 'a line break in a channel name',
    body: videoTask({ vchans: [{ vchan_refid: 'ch-1', name: 'a\nb' }] }),
    field: 'vchans[0].name',
    en: `vchans[0].name ${CONTROL_EN}`,
    zh: `vchans[0].name ${CONTROL_ZH}`,
  },
  {
    name: 'a tab inside a channel id',
    body: videoTask({ vchans: [{ vchan_refid: 'ch\t1' }] }),
    field: 'vchans[0].vchan_refid',
    en: `vchans[0].vchan_refid ${CONTROL_EN}`,
    zh: `vchans[0].vchan_refid ${CONTROL_ZH}`,
  },
  {
    name: 'a C1 control in an mtask name',
    body: videoTask({ mtasks: [mtask({ name: 'poll\u0085ing' })] }),
    field: 'mtasks[0].name',
    en: `mtasks[0].name ${CONTROL_EN}`,
    zh: `mtasks[0].name ${CONTROL_ZH}`,
  },
  {
    name: 'U+2028 in a scene name',
    body: firstScene((s) => (s.name = 'gate\u2028x')),
    field: `${SCENE}.name`,
    en: `${SCENE}.name ${CONTROL_EN}`,
    zh: `${SCENE}.name ${CONTROL_ZH}`,
  },
  {
    name: 'ESC in the keyword filter',
    method: 'GET',
    url: '/tasks?keyword=%1B%5B31m',
    field: 'keyword',
    en: `keyword ${CONTROL_EN}`,
    zh: `keyword ${CONTROL_ZH}`,
  },
  {
    name: 'DEL in a dictionary label',
    url: '/dicts',
    token: 'admin',
    body: { dict_type: 'algo_type', code: '9', label_zh: '烟火\u007f', label_en: 'Smoke' },
    field: 'label_zh',
    en: `label_zh ${CONTROL_EN}`,
    zh: `label_zh ${CONTROL_ZH}`,
  },
  // XML with a DOCTYPE
  {
    name: 'a DTD in a ROI',
    body: firstScene((s) => (s.rois = [{ roi: '<r/>' }, { roi: DTD }])),
    field: `${SCENE}.rois[1].roi`,
    en: `${SCENE}.rois[1].roi ${DOCTYPE_EN}`,
    zh: `${SCENE}.rois[1].roi ${DOCTYPE_ZH}`,
  },
  {
    name: 'a DTD in the calibration',
    body: firstScene((s) => (s.callibration = { calibration: DTD })),
    field: `${SCENE}.callibration.calibration`,
    en: `${SCENE}.callibration.calibration ${DOCTYPE_EN}`,
    zh: `${SCENE}.callibration.calibration ${DOCTYPE_ZH}`,
  },
  {
    name: 'a DOCTYPE in config',
    body: firstScene((s) => (s.config = { xml: '<!DOCTYPE r><r/>' })),
    field: `${SCENE}.config.xml`,
    en: `${SCENE}.config.xml ${DOCTYPE_EN}`,
    zh: `${SCENE}.config.xml ${DOCTYPE_ZH}`,
  },
  {
    name: 'an external DTD in basicConfig',
    body: firstScene((s) => (s.basicConfig = { xml: '<!DOCTYPE r SYSTEM "http://dtd.example.test/r.dtd"><r/>' })),
    field: `${SCENE}.basicConfig.xml`,
    en: `${SCENE}.basicConfig.xml ${DOCTYPE_EN}`,
    zh: `${SCENE}.basicConfig.xml ${DOCTYPE_ZH}`,
  },
  // nested structures in what is stored as JSON
  {
    name: '20 levels of link_scenes',
    body: firstScene((s) => (s.link_scenes = nestedArray(20))),
    field: `${SCENE}.link_scenes`,
    en: `${SCENE}.link_scenes ${LINKS_EN}`,
    zh: `${SCENE}.link_scenes ${LINKS_ZH}`,
  },
  {
    name: 'an object in link_scenes',
    body: firstScene((s) => (s.link_scenes = ['s-1', { a: 1 }])),
    field: `${SCENE}.link_scenes`,
    en: `${SCENE}.link_scenes ${LINKS_EN}`,
    zh: `${SCENE}.link_scenes ${LINKS_ZH}`,
  },
  {
    name: 'an object as an algorithm argument',
    body: firstScene((s) => (s.algo_args = { direction: { in: true } })),
    field: `${SCENE}.algo_args.direction`,
    en: `${SCENE}.algo_args.direction must be string`,
    zh: `${SCENE}.algo_args.direction 必须是 string`,
  },
  // other endpoints
  {
    name: 'an empty report batch',
    url: '/internal/subtask-reports',
    token: INTERNAL_TOKEN,
    body: { reports: [] },
    field: 'reports',
    en: 'reports has too few items (at least 1)',
    zh: 'reports 元素过少（至少 1 个）',
  },
  {
    name: 'a dictionary code with letters',
    url: '/dicts',
    token: 'admin',
    body: { dict_type: 'algo_type', code: '9a', label_zh: '烟火', label_en: 'Smoke' },
    field: 'code',
    en: 'code must be 1 to 9 digits',
    zh: 'code 必须是 1 到 9 位数字',
  },
];

function expectFieldError(res: TestResponse, field: string, message: string | RegExp): void {
  expect(res.status).toBe(400);
  expect(res.body).toMatchObject({ ecode: 400, error: 'VALIDATION_FAILED', request_id: expect.any(String) });
  const forField = (res.body.errors as { field: string; message: string }[]).filter((e) => e.field === field);
  expect(forField).toEqual([{ field, message: typeof message === 'string' ? message : expect.stringMatching(message) }]);
}

describe.each(DATABASE_KINDS)('validation messages on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    it.each([
      ['en', 'en'],
      ['zh-CN', 'zh'],
    ] as const)('is refused in %s, naming the failed rule, and writes nothing', async (lang, key) => {
      const before = await t.counts();
      const res = await t.request(c.method ?? 'POST', c.url ?? '/tasks', { body: c.body, raw: c.raw, lang, token: c.token });
      expectFieldError(res, c.field, c[key]);
      expect(await t.counts()).toEqual(before);
    });
  });

  it('lists one message per field for an empty body', async () => {
    const res = await t.request('POST', '/tasks', { body: {}, lang: 'en' });
    expect(res.body.errors).toEqual([
      { field: 'task_name', message: 'task_name is required' },
      { field: 'algo_type', message: 'algo_type is required' },
      { field: 'run_dt', message: 'run_dt is required' },
      { field: 'play_url', message: 'play_url is required' },
    ]);
  });

  it.each([40, 100_000])('refuses link_scenes nested %p levels deep as bad input and writes nothing', async (levels) => {
    const before = await t.counts();
    const raw = JSON.stringify(videoTask()).replace('"link_scenes":[]', `"link_scenes":${'['.repeat(levels)}${']'.repeat(levels)}`);
    const res = await t.request('POST', '/tasks', { raw, lang: 'en' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ ecode: 400, request_id: expect.any(String) });
    expect(await t.counts()).toEqual(before);
  });

  it('still accepts tabs and line breaks inside XML, and CDATA mentioning a DOCTYPE', async () => {
    const res = await t.request('POST', '/tasks', { body: firstScene((s) => (s.config = { xml: '<r>\n\t<a/><![CDATA[<!DOCTYPE x>]]></r>' })) });
    expect(res.status).toBe(200);
  });

  it('accepts link_scenes of scene ids and presets, and stores them as sent', async () => {
    const res = await t.request('POST', '/tasks', { body: firstScene((s) => (s.link_scenes = ['s-2', 3, 0])) });
    expect(res.status).toBe(200);
    const detail = await t.request('GET', `/tasks/${res.body.task_id}`);
    expect(detail.body.mtasks[0].scenes[0].link_scenes).toEqual(['s-2', 3, 0]);
  });

  it('takes only flat algo_args for an algorithm type added to the dictionary later', async () => {
    const added = await t.request('POST', '/dicts', { token: 'admin', body: { dict_type: 'algo_type', code: '7', label_zh: '烟火', label_en: 'Smoke' } });
    expect(added.status).toBe(200);
    const body = (algo_args: unknown) => videoTask({ algo_type: '7', mtasks: [mtask({ scenes: [scene({ algo_type: 7, vchan_refid: 'ch-1', algo_args })] })] });
    const before = await t.counts();
    const nested = await t.request('POST', '/tasks', { body: body({ threshold: 0.5, zones: [[1, 2]] }), lang: 'en' });
    expectFieldError(nested, `${SCENE}.algo_args.zones`, `${SCENE}.algo_args.zones must be a string, a number or a boolean`);
    expect(await t.counts()).toEqual(before);
    expect((await t.request('POST', '/tasks', { body: body({ threshold: 0.5, mode: 'fast', on: true }) })).status).toBe(200);
  });

  it('checks a subtask configuration the same way', async () => {
    const created = await t.request('POST', '/tasks', { body: videoTask() });
    const [first] = (await t.request('GET', `/tasks/${created.body.task_id}/subtasks`)).body.list_data;
    const url = `/subtasks/${first.subtask_id}/config`;
    const notArray = await t.request('PUT', url, { body: { mtasks: {} }, lang: 'zh-CN' });
    expectFieldError(notArray, 'mtasks', 'mtasks 必须是数组');
    const doctype = await t.request('PUT', url, { body: { mtasks: [mtask({ scenes: [scene({ rois: [{ roi: DTD }] })] })] }, lang: 'en' });
    expectFieldError(doctype, `${SCENE}.rois[0].roi`, `${SCENE}.rois[0].roi ${DOCTYPE_EN}`);
    const ctor = await t.request('PUT', url, { raw: '{"mtasks":[],"constructor":1}', lang: 'en' });
    expectFieldError(ctor, 'constructor', 'constructor is not a known field');
  });
});

const JWT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const sec = () => Math.floor(Date.now() / 1000);
const jwt = (claims: Record<string, unknown>, secret = JWT_SECRET) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('someone').sign(new TextEncoder().encode(secret));

describe('authentication', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start('sqlite', { AUTH_JWT_SECRET: JWT_SECRET });
  });
  afterAll(async () => {
    await t?.close();
  });

  const cases: [string, () => Promise<string | null>, string, string, string, string][] = [
    [
      'no token',
      () => Promise.resolve(null),
      'TOKEN_MISSING',
      'Send a token in the Authorization header',
      '请在 Authorization 请求头中携带令牌',
      'Bearer realm="task-manager"',
    ],
    [
      'an unknown token',
      () => Promise.resolve('not-a-known-token-at-all'),
      'TOKEN_INVALID',
      'The token is not valid; log in again',
      '令牌无效，请重新登录',
      'Bearer realm="task-manager", error="invalid_token", error_description="The token is not known"',
    ],
    [
      'an expired JWT',
      () => jwt({ role: 'viewer', iat: sec() - 120, exp: sec() - 60 }),
      'TOKEN_EXPIRED',
      'The token has expired; refresh it or log in again',
      '令牌已过期，请刷新令牌或重新登录',
      'Bearer realm="task-manager", error="invalid_token", error_description="The token expired"',
    ],
    [
      'a JWT without exp',
      () => jwt({ role: 'viewer', iat: sec() }),
      'TOKEN_INVALID',
      'The token is not valid; log in again',
      '令牌无效，请重新登录',
      `Bearer realm="task-manager", error="invalid_token", error_description="The token's exp claim is missing or not accepted"`,
    ],
    [
      'a JWT expiring in 2286',
      () => jwt({ role: 'viewer', iat: sec(), exp: 9_999_999_999 }),
      'TOKEN_INVALID',
      'The token is not valid; log in again',
      '令牌无效，请重新登录',
      'Bearer realm="task-manager", error="invalid_token", error_description="The token lives longer than 86400 seconds"',
    ],
    [
      'a JWT signed with another secret',
      () => jwt({ role: 'viewer', iat: sec(), exp: sec() + 300 }, 'x'.repeat(40)),
      'TOKEN_INVALID',
      'The token is not valid; log in again',
      '令牌无效，请重新登录',
      'Bearer realm="task-manager", error="invalid_token", error_description="The token signature is invalid"',
    ],
  ];

  it.each(cases)('answers 401 for %s, saying why, in both languages', async (_name, token, error, en, zh, challenge) => {
    const value = await token();
    for (const [lang, enote] of [
      ['en', en],
      ['zh-CN', zh],
    ]) {
      const res = await t.request('GET', '/tasks', { token: value, lang });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ ecode: 401, enote, error, request_id: expect.any(String) });
      expect(res.headers['www-authenticate']).toBe(challenge);
    }
  });

  it('accepts a JWT with exp within the lifetime limit', async () => {
    const token = await jwt({ role: 'viewer', iat: sec(), exp: sec() + 3600 });
    const res = await t.request('GET', '/tasks', { token: `Bearer ${token}` });
    expect(res.status).toBe(200);
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('answers the internal route the same way, and refuses user tokens there', async () => {
    const send = (token: string | null) => t.request('POST', '/internal/subtask-reports', { token, body: { reports: [] }, lang: 'en' });
    const missing = await send(null);
    expect(missing.status).toBe(401);
    expect(missing.body.error).toBe('TOKEN_MISSING');
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="task-manager"');
    for (const token of ['operator', 'admin', 'wrong']) {
      const res = await send(token);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('TOKEN_INVALID');
      expect(res.headers['www-authenticate']).toBe(
        'Bearer realm="task-manager", error="invalid_token", error_description="The token is not the internal token"',
      );
    }
  });

  it('checks the configured issuer, audience and lifetime', async () => {
    const strict = await TestApp.start('sqlite', {
      AUTH_JWT_SECRET: JWT_SECRET,
      AUTH_JWT_ISSUER: 'https://sso.example.test',
      AUTH_JWT_AUDIENCE: 'task-manager',
      AUTH_JWT_MAX_TTL_S: '600',
    });
    try {
      const claims = { role: 'viewer', iss: 'https://sso.example.test', aud: 'task-manager', iat: sec(), exp: sec() + 600 };
      expect((await strict.request('GET', '/tasks', { token: await jwt(claims) })).status).toBe(200);
      for (const bad of [{ iss: 'https://other.example.test' }, { aud: 'another-service' }, { exp: sec() + 601 }]) {
        const res = await strict.request('GET', '/tasks', { token: await jwt({ ...claims, ...bad }) });
        expect(res.status).toBe(401);
        expect(res.body.error).toBe('TOKEN_INVALID');
      }
    } finally {
      await strict.close();
    }
  });
});

describe('boot-time checks of credentials', () => {
  const boot = async (env: Record<string, string>): Promise<ConfigError> => {
    const error = await createApp({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DB_TYPE: 'sqlite', DB_PATH: ':memory:', RECONCILER_ENABLED: 'false', ...env }).then(
      async (app) => {
        await app.close();
        throw new Error('booted');
      },
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  };

  it('refuses a short AUTH_JWT_SECRET without printing it', async () => {
    const error = await boot({ AUTH_JWT_SECRET: 'hunter2-is-my-secret' });
    expect(error.message).toContain('AUTH_JWT_SECRET=(hidden, 20 characters): AUTH_JWT_SECRET must be at least 32 characters');
    expect(error.message).not.toContain('hunter2');
  });

  it('refuses static tokens shorter than 16 characters without printing them', async () => {
    const tokens = await boot({ AUTH_TOKENS: 'long-enough-admin-token:admin,short-viewer:viewer' });
    expect(tokens.problems).toEqual(['AUTH_TOKENS entry 2 (viewer): the token must be at least 16 characters']);
    expect(tokens.message).not.toMatch(/short-viewer|long-enough/);
    const internal = await boot({ INTERNAL_TOKEN: 'ops-secret' });
    expect(internal.problems).toEqual(['INTERNAL_TOKEN=(hidden, 10 characters): must be at least 16 characters']);
  });
});

describe('the API documentation', () => {
  it('is off in production unless enabled, and never lists the internal route', async () => {
    const production = { NODE_ENV: 'production', AUTH_TOKENS: 'production-viewer-token:viewer' };
    const hidden = await TestApp.start('sqlite', production);
    try {
      expect((await hidden.request('GET', '/docs-json', { token: null })).status).toBe(404);
      expect((await hidden.request('GET', '/docs', { token: null })).status).toBe(404);
    } finally {
      await hidden.close();
    }
    const shown = await TestApp.start('sqlite', { ...production, SWAGGER_ENABLED: 'true' });
    try {
      const doc = await shown.request('GET', '/docs-json', { token: null });
      expect(doc.status).toBe(200);
      expect(Object.keys(doc.body.paths)).toContain('/tasks');
      expect(Object.keys(doc.body.paths).filter((p) => p.startsWith('/internal'))).toEqual([]);
    } finally {
      await shown.close();
    }
  });
});
