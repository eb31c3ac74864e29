import { chatPlatformContract } from "./chat-platform.contract.js";
import { discordContract } from "./rigs/discord.rig.js";

chatPlatformContract(discordContract);
