/**
 * One set of behavioural assertions for every `ChatPlatform` (src/contracts/chat-platform.ts), written once and
 * run against each adapter wired to its fake platform: what the platform's users would see, and what the adapter
 * hands the core. Cases for an optional part of the port run where the adapter declares it; where it declares the
 * part absent, a case named after the reason checks that the part is indeed absent.
 *
 * Adding an adapter: write `test/contract/rigs/<name>.rig.ts` exporting a `ContractSubject` (its declarations and a
 * `setup()` that starts the adapter against its fake and returns a `ContractRig`, see contract-rig.ts), then
 * `test/contract/<name>.contract.test.ts`:
 *
 *     import { chatPlatformContract } from "./chat-platform.contract.js";
 *     import { webContract } from "./rigs/web.rig.js";
 *
 *     chatPlatformContract(webContract);
 */
import { afterEach, beforeEach, describe } from "vitest";
import { errorCases } from "./cases/errors.js";
import { fileCases } from "./cases/files.js";
import { inboundCases } from "./cases/inbound.js";
import { messageCases } from "./cases/messages.js";
import { optionalCases } from "./cases/optional.js";
import type { ContractRig, ContractSubject } from "./contract-rig.js";

/** Gives each case the rig of the running test (a fresh adapter and fake platform per test). */
export type RigAccess = () => ContractRig;

export function chatPlatformContract(subject: ContractSubject): void {
  describe(`ChatPlatform contract: ${subject.name}`, () => {
    let current: ContractRig | undefined;
    beforeEach(async () => {
      current = await subject.setup();
    });
    afterEach(async () => {
      await current?.close();
      current = undefined;
    });
    const rig: RigAccess = () => {
      if (current === undefined) throw new Error("no rig: setup() failed");
      return current;
    };

    messageCases(subject, rig);
    fileCases(rig);
    inboundCases(rig);
    optionalCases(subject, rig);
    errorCases(subject, rig);
  });
}
