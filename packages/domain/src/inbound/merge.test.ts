import type { SyncedState } from '../customer-rules';
import { planMerge, withFields } from './merge';

const base: SyncedState = { name: 'Ada', email: 'ada@x.io', phone: '111', address: null };
const address = { line1: '1 Main St', line2: null, city: 'Leeds', state: null, postal_code: null, country: 'GB' };

describe('planMerge', () => {
  it('takes a field changed only there and keeps one changed only here', () => {
    const ours = { ...base, name: 'Ada L' };
    const theirs = { ...base, phone: '222' };
    expect(planMerge(ours, theirs, base, ['phone'])).toEqual({ take: ['phone'], keep: ['name'], conflicts: [] });
    // A source that does not say what changed: what differs from the base counts as changed there.
    expect(planMerge(ours, theirs, base)).toEqual({ take: ['phone'], keep: ['name'], conflicts: [] });
  });

  it('sees a conflict only where both sides changed one field to different values', () => {
    expect(planMerge({ ...base, name: 'Ours' }, { ...base, name: 'Theirs' }, base, ['name']).conflicts).toEqual(['name']);
    expect(planMerge({ ...base, name: 'Same' }, { ...base, name: 'Same' }, base, ['name'])).toEqual({ take: [], keep: [], conflicts: [] });
    expect(planMerge({ ...base, address }, { ...base, address: { ...address, city: 'York' } }, base).conflicts).toEqual(['address']);
  });

  it('believes the source about what it changed', () => {
    // The source names only phone: a name that differs from ours is not theirs to change (ours stands).
    expect(planMerge(base, { ...base, name: 'Stale', phone: '333' }, base, ['phone'])).toEqual({ take: ['phone'], keep: ['name'], conflicts: [] });
  });

  it('withFields copies the named fields only', () => {
    expect(withFields(base, { ...base, name: 'X', phone: '9' }, ['phone'])).toEqual({ ...base, phone: '9' });
  });
});
