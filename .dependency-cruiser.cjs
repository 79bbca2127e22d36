/**
 * Module direction of src/, top to bottom. A layer may import only layers below it:
 *   composition root (app.module, bootstrap, main, swagger) → dispatch, events, health → status → task
 *   → subtask → scene → dictionary → schedule, journal → common, config, database.
 * @type {import('dependency-cruiser').IConfiguration}
 */

const ROOT = '^src/(app\\.module|bootstrap|main|swagger)\\.ts$';
const SPEC = '\\.(spec|e2e-spec)\\.ts$';

// Every layer and the layers it must not import (everything above it).
const layers = [
  ['dispatch', 'events', 'health'],
  ['status'],
  ['task'],
  ['subtask'],
  ['scene'],
  ['dictionary'],
  ['schedule', 'journal'],
  ['common', 'config', 'database'],
];

const folders = (names) => `^src/(${names.join('|')})/`;

const layerRules = layers.slice(1).map((layer, i) => {
  const above = layers.slice(0, i + 1).flat();
  return {
    name: `no-upward-from-${layer.join('-')}`,
    comment: `${layer.join(', ')} may import only the layers below it, never ${above.join(', ')}.`,
    severity: 'error',
    from: {
      path: folders(layer),
      // The entity and migration registries list every feature's entity files.
      pathNot: layer.includes('database') ? '^src/database/(entities|migrations/index)\\.ts$' : undefined,
    },
    to: { path: folders(above) },
  };
});

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-import-of-top-layer',
      comment: 'dispatch, events and health are imported only by the composition root (and by themselves).',
      severity: 'error',
      from: { path: '^src/', pathNot: [ROOT, '^src/(dispatch|events|health)/'] },
      to: { path: '^src/(dispatch|events|health)/' },
    },
    {
      name: 'no-cross-top-layer',
      comment: 'dispatch, events and health are siblings at the top; none imports another.',
      severity: 'error',
      from: { path: '^src/(dispatch|events|health)/' },
      to: { path: '^src/(dispatch|events|health)/', pathNot: '^src/$1/' },
    },
    {
      name: 'registries-import-entities-only',
      comment: 'The entity and migration registries import feature entity files and migrations, nothing else from the features.',
      severity: 'error',
      from: { path: '^src/database/(entities|migrations/index)\\.ts$' },
      to: {
        path: '^src/(dispatch|events|health|status|task|subtask|scene|dictionary|schedule|journal)/',
        pathNot: '\\.entity\\.ts$',
      },
    },
    {
      name: 'migrations-are-self-contained',
      comment: 'A migration is frozen in time: it imports typeorm and nothing from src/.',
      severity: 'error',
      from: { path: '^src/database/migrations/', pathNot: '^src/database/migrations/index\\.ts$' },
      to: { path: '^src/', pathNot: '^src/database/migrations/' },
    },
    {
      name: 'migrations-import-only-typeorm',
      comment: 'Migrations depend on typeorm only, so later library changes cannot rewrite past schema steps.',
      severity: 'error',
      from: { path: '^src/database/migrations/', pathNot: '^src/database/migrations/index\\.ts$' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/typeorm/' },
    },
    {
      name: 'no-circular',
      comment: 'Modules form a directed graph; a cycle means two modules are really one.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-spec-in-production',
      comment: 'Production code never imports a spec.',
      severity: 'error',
      from: { pathNot: SPEC },
      to: { path: SPEC },
    },
    {
      name: 'no-test-or-bench-from-src',
      comment: 'src/ ships; test/ and bench/ do not.',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'no-ops-sim-in-production',
      comment: 'The ops simulator is a development tool; production code never imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [SPEC] },
      to: { path: '^tools/' },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves to a file or an installed package.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      // tsconfig resolves like Node 10 (module: commonjs), which reads no package "exports" map.
      exportsFields: [],
      extensions: ['.ts', '.d.ts', '.js', '.json'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
