import { z } from "zod";

/** What the bridge needs from GET /parameters, normalized across Dify's new and legacy `file_upload` shapes. */
export interface AppParameters {
  readonly openingStatement: string;
  readonly suggestedQuestions: readonly string[];
  readonly suggestedQuestionsAfterAnswer: boolean;
  readonly speechToText: boolean;
  readonly citations: boolean;
  readonly fileUpload: {
    readonly enabled: boolean;
    /** image, document, audio, video, custom. */
    readonly allowedTypes: readonly string[];
    /** Lower-case, with a leading dot, for the `custom` type. */
    readonly allowedExtensions: readonly string[];
    readonly allowsLocalFile: boolean;
    readonly numberLimit: number;
  };
  /** Upload size limits per category, in bytes. */
  readonly sizeLimits: { readonly image: number; readonly video: number; readonly audio: number; readonly file: number };
  readonly inputVariables: readonly InputVariable[];
}

/** One variable of the app's start form (`user_input_form`). */
export interface InputVariable {
  readonly variable: string;
  /** `text-input`, `paragraph`, `select`, `number`, `file`, `file-list`, … */
  readonly type: string;
  readonly required: boolean;
  /** `file` / `file-list` inputs (Workflow and Text Generator apps): what the variable accepts. */
  readonly files?: {
    readonly allowedTypes: readonly string[];
    readonly allowedExtensions: readonly string[];
    readonly allowsLocalFile: boolean;
    /** 1 for `file`, `max_length` for `file-list`. */
    readonly numberLimit: number;
  };
}

const MB = 1024 * 1024;
const enabled = z.looseObject({ enabled: z.boolean().nullish() }).nullish();

const schema = z.looseObject({
  opening_statement: z.string().nullish(),
  suggested_questions: z.array(z.string()).nullish(),
  suggested_questions_after_answer: enabled,
  speech_to_text: enabled,
  retriever_resource: enabled,
  file_upload: z
    .looseObject({
      enabled: z.boolean().nullish(),
      allowed_file_types: z.array(z.string()).nullish(),
      allowed_file_extensions: z.array(z.string()).nullish(),
      allowed_file_upload_methods: z.array(z.string()).nullish(),
      number_limits: z.number().nullish(),
      fileUploadConfig: z
        .looseObject({
          image_file_size_limit: z.coerce.number().nullish(),
          video_file_size_limit: z.coerce.number().nullish(),
          audio_file_size_limit: z.coerce.number().nullish(),
          file_size_limit: z.coerce.number().nullish(),
        })
        .nullish(),
      image: z
        .looseObject({
          enabled: z.boolean().nullish(),
          number_limits: z.number().nullish(),
          transfer_methods: z.array(z.string()).nullish(),
        })
        .nullish(),
    })
    .nullish(),
  system_parameters: z
    .looseObject({
      image_file_size_limit: z.coerce.number().nullish(),
      video_file_size_limit: z.coerce.number().nullish(),
      audio_file_size_limit: z.coerce.number().nullish(),
      file_size_limit: z.coerce.number().nullish(),
    })
    .nullish(),
  user_input_form: z.array(z.record(z.string(), z.unknown())).nullish(),
});

export function parseAppParameters(raw: unknown): AppParameters {
  const p = schema.parse(raw ?? {});
  const fu = p.file_upload;
  const legacyImage = fu?.image;
  const newShape = fu?.enabled !== undefined && fu?.enabled !== null;
  const fileEnabled = newShape ? Boolean(fu?.enabled) : Boolean(legacyImage?.enabled);
  const methods = newShape
    ? (fu?.allowed_file_upload_methods ?? ["local_file", "remote_url"])
    : (legacyImage?.transfer_methods ?? ["local_file", "remote_url"]);
  // Servers that leave out system_parameters still put the same limits in file_upload.fileUploadConfig.
  const sp = p.system_parameters ?? p.file_upload?.fileUploadConfig;
  return {
    openingStatement: p.opening_statement ?? "",
    suggestedQuestions: p.suggested_questions ?? [],
    suggestedQuestionsAfterAnswer: Boolean(p.suggested_questions_after_answer?.enabled),
    speechToText: Boolean(p.speech_to_text?.enabled),
    citations: Boolean(p.retriever_resource?.enabled),
    fileUpload: {
      enabled: fileEnabled,
      allowedTypes: newShape ? (fu?.allowed_file_types ?? []) : fileEnabled ? ["image"] : [],
      allowedExtensions: (fu?.allowed_file_extensions ?? []).map((e) => (e.startsWith(".") ? e : `.${e}`).toLowerCase()),
      allowsLocalFile: methods.includes("local_file"),
      numberLimit: (newShape ? fu?.number_limits : legacyImage?.number_limits) ?? 3,
    },
    sizeLimits: {
      image: (sp?.image_file_size_limit ?? 10) * MB,
      video: (sp?.video_file_size_limit ?? 100) * MB,
      audio: (sp?.audio_file_size_limit ?? 50) * MB,
      file: (sp?.file_size_limit ?? 15) * MB,
    },
    inputVariables: (p.user_input_form ?? []).flatMap((entry) =>
      Object.entries(entry).flatMap(([type, def]) => {
        const d = def as { variable?: unknown; required?: unknown };
        if (typeof d?.variable !== "string") return [];
        const files = type === "file" || type === "file-list" ? fileInputOf(type, def as FileInputDef) : undefined;
        return [{ variable: d.variable, type, required: d.required === true, ...(files ? { files } : {}) }];
      }),
    ),
  };
}

interface FileInputDef {
  readonly allowed_file_types?: unknown;
  readonly allowed_file_extensions?: unknown;
  readonly allowed_file_upload_methods?: unknown;
  readonly max_length?: unknown;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);

/** A `file` / `file-list` start-form variable's own limits (Dify checks files against them, not `file_upload`). */
function fileInputOf(type: string, d: FileInputDef): NonNullable<InputVariable["files"]> {
  const methods = strings(d.allowed_file_upload_methods);
  return {
    allowedTypes: strings(d.allowed_file_types),
    allowedExtensions: strings(d.allowed_file_extensions).map((e) => (e.startsWith(".") ? e : `.${e}`).toLowerCase()),
    allowsLocalFile: methods.length === 0 || methods.includes("local_file"),
    numberLimit: type === "file" ? 1 : typeof d.max_length === "number" && d.max_length > 0 ? d.max_length : 5,
  };
}
