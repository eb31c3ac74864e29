import { chatPlatformContract } from "./chat-platform.contract.js";
import { webContract } from "./rigs/web.rig.js";

chatPlatformContract(webContract);
