import { z } from 'zod';
import { defineConnector } from '../connector';
import type { Integration } from '../types';
import { redeliveryFloor } from './redelivery';

const connector = (system: string, redeliveryWindowHours?: number) =>
  defineConnector({
    system,
    okText: 'ok',
    env: z.object({}),
    connect: () => ({ system }) as unknown as Integration,
    limits: () => ({ writesPerSec: 1, readsPerSec: 1 }),
    ...(redeliveryWindowHours !== undefined && { redeliveryWindowHours }),
  });

describe('the redelivery floor of the enabled systems', () => {
  it('is the longest window among them, with the system that has it', () => {
    expect(redeliveryFloor([connector('a', 24), connector('b', 240), connector('c', 48)])).toEqual({ hours: 240, system: 'b' });
  });

  it('holds a connector that declares none to 72 hours, and is undefined for no system', () => {
    expect(redeliveryFloor([connector('a', 1), connector('quiet')])).toEqual({ hours: 72, system: 'quiet' });
    expect(redeliveryFloor([])).toBeUndefined();
  });
});
