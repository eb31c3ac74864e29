import type { AppHome } from "../contracts/chat-platform.js";
import type { Logger } from "../contracts/logger.js";
import type { DifyApp } from "../routing/app-directory.js";

/** Long enough that people flicking between tabs cost Dify nothing, short enough that an edit in Dify shows soon. */
const APP_HOME_TTL_MS = 60_000;

/**
 * What the home shows about one Dify app: its name and description (/info; the WebApp's title and description
 * from /site where those are empty), its icon (/site, which an app without a site answers with 403: no icon), and its opening statement and
 * starter questions (/parameters). Kept per app for `APP_HOME_TTL_MS`; concurrent opens share one fetch.
 */
export class AppHomeSource {
  private readonly cache = new Map<string, { readonly at: number; readonly home: Promise<AppHome> }>();

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get(app: DifyApp): Promise<AppHome> {
    const hit = this.cache.get(app.id);
    if (hit && this.now() - hit.at < APP_HOME_TTL_MS) return hit.home;
    const home = this.fetch(app);
    this.cache.set(app.id, { at: this.now(), home });
    // A failure is not kept: the next open asks again.
    home.catch(() => this.cache.delete(app.id));
    return home;
  }

  private async fetch(app: DifyApp): Promise<AppHome> {
    const [info, site, params] = await Promise.all([
      app.dify.getInfo(),
      app.dify.getSite().catch((err: unknown) => {
        this.logger.debug({ err, app: app.id }, "Dify app has no readable site settings; the home uses /info only");
        return undefined;
      }),
      app.params.get(),
    ]);
    const icon: AppHome["icon"] =
      site?.iconType === "image" && site.iconUrl
        ? { kind: "image", url: site.iconUrl }
        : site?.iconType === "emoji" && site.icon
          ? { kind: "emoji", emoji: site.icon }
          : undefined;
    return {
      name: info.name.trim() || site?.title.trim() || "Assistant",
      description: info.description?.trim() || site?.description.trim() || "",
      ...(icon ? { icon } : {}),
      openingStatement: params.openingStatement.trim(),
      starterQuestions: params.suggestedQuestions.map((q) => q.trim()).filter((q) => q !== ""),
    };
  }
}
