import { chatPlatformContract } from "./chat-platform.contract.js";
import { slackContract } from "./rigs/slack.rig.js";

chatPlatformContract(slackContract);
