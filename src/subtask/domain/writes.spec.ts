import { ClaimedRow, outcomeApplies } from './writes';

describe('outcomeApplies', () => {
  const outcome = { token: 'replica-a#7', generation: 3, expected: ['dispatching', 'scheduled'] as const };
  const held: ClaimedRow = { lease_owner: 'replica-a#7', generation: 3, state: 'dispatching' };

  it.each<[string, ClaimedRow | undefined, boolean]>([
    ['held by the claim, same generation, an expected state', held, true],
    ['the other expected state', { ...held, state: 'scheduled' }, true],
    ['the row is gone (task purged)', undefined, false],
    ['another claim holds it (lease lapsed and taken over)', { ...held, lease_owner: 'replica-b#2' }, false],
    ['no claim holds it (handed back at shutdown)', { ...held, lease_owner: null }, false],
    ['a new start bumped the generation', { ...held, generation: 4 }, false],
    ['a report moved it on (running)', { ...held, state: 'running' }, false],
    ['a stop moved it (stopping)', { ...held, state: 'stopping' }, false],
  ])('%s → %s', (_case, row, applies) => {
    expect(outcomeApplies(row, outcome)).toBe(applies);
  });
});
