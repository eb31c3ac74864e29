import type { RunInputs } from "./app-kind.js";

/** What a request needs from the question (chat-stream.ts's ChatRequest has these fields and more). */
interface Question {
  readonly query: string;
  readonly user: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly conversationId?: string | undefined;
  readonly files?: ReadonlyArray<{ readonly type: string; readonly uploadFileId: string }>;
  readonly run?: RunInputs | undefined;
}

type FileRef = NonNullable<Question["files"]>[number];

/** A file as Dify's `file_factory` takes it, in `files` or as the value of a file input. */
function fileRef(f: FileRef) {
  return { type: f.type, transfer_method: "local_file", upload_file_id: f.uploadFileId };
}

/**
 * The streaming request for the app's type:
 * - chat apps: POST /chat-messages with the query and the thread's conversation;
 * - Workflow apps: POST /workflows/run (`api/controllers/service_api/app/workflow.py`, `WorkflowRunApi`):
 *   `inputs` (required) with the question in its text input and the files in its file input, no conversation;
 * - Text Generator apps: POST /completion-messages (`completion.py`, `CompletionApi`): `inputs` the same way,
 *   and `query` too (it feeds the app's knowledge retrieval), no conversation.
 * A run whose app has no file input sends the files in `files`, which both endpoints accept (sys.files, vision).
 */
export function runRequest(req: Question): { readonly path: string; readonly body: Record<string, unknown> } {
  const files = req.files ?? [];
  const run = req.run;
  if (!run) {
    return {
      path: "/chat-messages",
      body: {
        query: req.query,
        inputs: req.inputs,
        user: req.user,
        response_mode: "streaming",
        conversation_id: req.conversationId ?? "",
        files: files.map(fileRef),
        auto_generate_name: true,
      },
    };
  }
  const inputs: Record<string, unknown> = { ...req.inputs };
  if (run.queryInput) inputs[run.queryInput] = req.query;
  const input = run.fileInput;
  if (input && files.length > 0) inputs[input.variable] = input.list ? files.map(fileRef) : fileRef(files[0] as FileRef);
  const body: Record<string, unknown> = { inputs, user: req.user, response_mode: "streaming" };
  if (!input && files.length > 0) body.files = files.map(fileRef);
  if (run.kind === "completion") return { path: "/completion-messages", body: { ...body, query: req.query } };
  return { path: "/workflows/run", body };
}
