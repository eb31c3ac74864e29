import { chatPlatformContract } from "./chat-platform.contract.js";
import { fakePlatformContract } from "./rigs/fake-platform.rig.js";

chatPlatformContract(fakePlatformContract);
