import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { STAGE_PASID, STAGE_RID, VisitLedger } from '../../lib/replay/models/types.ts';

describe('VisitLedger repeated charges', () => {
  it('adds each slot’s uses to its stage once, at settle', () => {
    const ledger = new VisitLedger(new Float64Array(2), new Float64Array(2));
    const pasid = ledger.repeatedCharge(STAGE_PASID, 3);
    const rid = ledger.repeatedCharge(STAGE_RID, 3);
    // Slot 0: 4 visits at 15 ns, used 3 times; slot 2: 7 visits at 10 ns, used twice. Slot 1 is never set.
    pasid.set(0, 4, 60);
    rid.set(2, 7, 70);
    pasid.count[0] = 3;
    rid.count[2] = 2;
    ledger.add(STAGE_PASID, 0, 1, 15); // a direct charge beside them: 1 visit, 15 ns
    assert.equal(ledger.stageVisits[STAGE_PASID], 1);
    ledger.settle();
    // By hand: PASID 1 + 3 × 4 = 13 visits, 15 + 3 × 60 = 195 ns; RID 2 × 7 = 14 visits, 140 ns.
    assert.equal(ledger.stageVisits[STAGE_PASID], 13);
    assert.equal(ledger.stageNs[STAGE_PASID], 195);
    assert.equal(ledger.stageVisits[STAGE_RID], 14);
    assert.equal(ledger.stageNs[STAGE_RID], 140);
    // The per-group arrays are the model's to write; settle leaves them alone.
    assert.deepEqual([...ledger.groupVisits], [1, 0]);
    // The counts are cleared: settling again adds nothing.
    ledger.settle();
    assert.equal(ledger.stageVisits[STAGE_PASID], 13);
    assert.equal(ledger.stageNs[STAGE_RID], 140);
  });
});
