/**
 * GET /v1/parameters of a realistic Chatbot app as Dify 1.12.1 returns it: speech-to-text on, file upload
 * on for images and documents (new shape, with the legacy `image` block still inside), citations on,
 * suggested questions after answer off, one optional text input.
 */
export function defaultAppParameters(): Record<string, unknown> {
  return {
    opening_statement: "Hi! I'm the team assistant. Ask me anything about our handbook.",
    suggested_questions: ["What can you do?", "How do I request time off?"],
    suggested_questions_after_answer: { enabled: false },
    speech_to_text: { enabled: true },
    text_to_speech: { enabled: false, voice: "", language: "", autoPlay: "disabled" },
    retriever_resource: { enabled: true },
    annotation_reply: { enabled: false },
    more_like_this: { enabled: false },
    user_input_form: [{ "text-input": { label: "Answer language", variable: "language", required: false, max_length: 48, default: "" } }],
    sensitive_word_avoidance: { enabled: false, type: "", configs: [] },
    file_upload: {
      image: { enabled: true, number_limits: 3, detail: "high", transfer_methods: ["remote_url", "local_file"] },
      enabled: true,
      allowed_file_types: ["image", "document"],
      allowed_file_extensions: [".JPG", ".JPEG", ".PNG", ".GIF", ".WEBP", ".SVG", ".MP4", ".MOV", ".MPEG", ".WEBM"],
      allowed_file_upload_methods: ["remote_url", "local_file"],
      number_limits: 3,
      fileUploadConfig: {
        file_size_limit: 15,
        batch_count_limit: 5,
        image_file_size_limit: 10,
        video_file_size_limit: 100,
        audio_file_size_limit: 50,
        workflow_file_upload_limit: 10,
      },
    },
    system_parameters: {
      image_file_size_limit: 10,
      video_file_size_limit: 100,
      audio_file_size_limit: 50,
      file_size_limit: 15,
      workflow_file_upload_limit: 10,
    },
  };
}

/** The same app as a pre-1.6 deployment describes it: only the legacy `file_upload.image` block. */
export function legacyAppParameters(): Record<string, unknown> {
  const p = defaultAppParameters();
  p.file_upload = { image: { enabled: true, number_limits: 2, detail: "high", transfer_methods: ["local_file"] } };
  return p;
}

/**
 * GET /v1/parameters of a Workflow app (mode `workflow`): its Start node's variables as `user_input_form`
 * (`api/controllers/service_api/app/app.py` → `get_parameters_from_feature_dict` with the workflow's
 * `user_input_form()`): a required paragraph for the question and an optional file list, each variable with its
 * own accepted file types. The workflow's own `file_upload` feature (sys.files) is off, speech-to-text too.
 */
export function workflowAppParameters(): Record<string, unknown> {
  const p = defaultAppParameters();
  return {
    ...p,
    opening_statement: "",
    suggested_questions: [],
    speech_to_text: { enabled: false },
    retriever_resource: { enabled: false },
    user_input_form: [
      { paragraph: { label: "Question", variable: "question", required: true, max_length: 4000, default: "" } },
      {
        "file-list": {
          label: "Attachments",
          variable: "attachments",
          required: false,
          max_length: 3,
          allowed_file_types: ["image", "document"],
          allowed_file_extensions: [],
          allowed_file_upload_methods: ["local_file", "remote_url"],
        },
      },
    ],
    file_upload: {
      ...(p.file_upload as Record<string, unknown>),
      enabled: false,
      image: { enabled: false, number_limits: 3, transfer_methods: ["local_file"] },
    },
  };
}

/** GET /v1/parameters of a Text Generator app (mode `completion`): its prompt's variables, the text to work on first. */
export function completionAppParameters(): Record<string, unknown> {
  return {
    ...defaultAppParameters(),
    opening_statement: "",
    suggested_questions: [],
    speech_to_text: { enabled: false },
    user_input_form: [
      { paragraph: { label: "Text", variable: "text", required: true, max_length: 8000, default: "" } },
      { select: { label: "Tone", variable: "tone", required: false, options: ["plain", "friendly"], default: "plain" } },
    ],
  };
}
