// Scripts that pipeline, against a real QEMU: 10 sessions each write 300 commands at once (the
// case that got 7,038 of 9,000 commands refused when the proxy answered BlockscopeOverloaded past
// 64 pending), with colliding ids and a mix of QEMU replies, QEMU errors and the proxy's own
// refusals. The suite is test/harness/pipelining-suite.ts; the 50 × 1,000 version runs in
// test/soak/pipelining.test.ts.
import { describePipelining } from '../harness/pipelining-suite.ts';

describePipelining(10, 300, 128);
