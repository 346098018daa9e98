// The time charts' zoom and pan arithmetic, against windows worked out by hand.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MIN_WINDOW_NS, panWindow, wheelFactor, windowParams, zoomWindow } from '../../app/_lib/time-window.ts';

describe('time window zoom and pan', () => {
  it('zooms around the point under the pointer, which keeps its place', () => {
    // [0, 1000) halved around 250 (a quarter in): 500 wide, 250 still a quarter in → [125, 625).
    assert.deepEqual(zoomWindow([0, 1000], 250, 0.5, 1000), [125, 625]);
    // Zooming out past the trace stops at its ends: [125, 625) ×4 around 375 → [−625, 1375) → the whole [0, 1000).
    assert.deepEqual(zoomWindow([125, 625], 375, 4, 1000), [0, 1000]);
    // ×2 around 600 of [500, 700): 400 wide, 600 stays half way → [400, 800).
    assert.deepEqual(zoomWindow([500, 700], 600, 2, 1000), [400, 800]);
    // Out near the end: [800, 1000) ×2 around 900 → [700, 1100) → slid back to [600, 1000).
    assert.deepEqual(zoomWindow([800, 1000], 900, 2, 1000), [600, 1000]);
  });

  it('never zooms below the narrowest window', () => {
    assert.deepEqual(zoomWindow([0, 200], 100, 0.01, 10_000), [50, 50 + MIN_WINDOW_NS]);
    // A trace shorter than the narrowest window is shown whole.
    assert.deepEqual(zoomWindow([0, 40], 20, 0.5, 40), [0, 40]);
  });

  it('pans by a time, width kept, stopped at both ends', () => {
    assert.deepEqual(panWindow([100, 300], 50, 1000), [150, 350]);
    assert.deepEqual(panWindow([100, 300], -250, 1000), [0, 200]);
    assert.deepEqual(panWindow([700, 900], 500, 1000), [800, 1000]);
  });

  it('wheel turns: e^(0.002·px), lines of 16 px, down widens', () => {
    assert.equal(wheelFactor(0), 1);
    assert.equal(wheelFactor(100), Math.exp(0.2));
    assert.equal(wheelFactor(-100), Math.exp(-0.2));
    assert.equal(wheelFactor(3, 1), Math.exp(0.096));
    assert.equal(wheelFactor(10_000), Math.exp(1), 'one event zooms at most e×');
  });

  it('becomes whole-ns URL parameters, outward, or none for the whole trace', () => {
    assert.deepEqual(windowParams([125.4, 625.6], 1000), { from: 125, to: 626 });
    assert.equal(windowParams([0, 1000], 1000), null);
    assert.equal(windowParams([-3, 1002], 1000), null);
    assert.equal(windowParams([0, 999.2], 1000), null, 'rounds out to the end: the whole trace');
  });
});
