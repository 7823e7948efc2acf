import { describe, expect, it } from 'vitest';
import { MAX_WHEEL_STEPS, PIXELS_PER_WHEEL_STEP, wheelStepsFor } from './scroll-steps.ts';

describe('wheelStepsFor', () => {
  it('maps the sign to a direction per axis', () => {
    expect(wheelStepsFor('vertical', 300).direction).toBe('up');
    expect(wheelStepsFor('vertical', -300).direction).toBe('down');
    expect(wheelStepsFor('horizontal', 300).direction).toBe('right');
    expect(wheelStepsFor('horizontal', -300).direction).toBe('left');
  });

  it(`gives one notch per ${PIXELS_PER_WHEEL_STEP} px, rounded`, () => {
    expect(wheelStepsFor('vertical', -500)).toEqual({ direction: 'down', steps: 5 });
    expect(wheelStepsFor('vertical', 250).steps).toBe(3);
    expect(wheelStepsFor('vertical', 1040).steps).toBe(10);
  });

  it('scrolls at least one notch for any amount, and at most the cap', () => {
    expect(wheelStepsFor('vertical', 1).steps).toBe(1);
    expect(wheelStepsFor('horizontal', -3).steps).toBe(1);
    expect(wheelStepsFor('vertical', 1e9).steps).toBe(MAX_WHEEL_STEPS);
  });

  it('scrolls nothing for zero or nonsense', () => {
    expect(wheelStepsFor('vertical', 0).steps).toBe(0);
    expect(wheelStepsFor('vertical', Number.NaN).steps).toBe(0);
    expect(wheelStepsFor('vertical', Number.POSITIVE_INFINITY).steps).toBe(0);
  });
});
