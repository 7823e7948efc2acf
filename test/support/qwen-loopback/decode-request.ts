// Reads an OpenAI chat-completions body the way a vision server does: texts per message, every
// image found, and the newest screenshot (the last image of the last user message) decoded to
// pixels. Nothing is assumed about where the agent put things: what is missing is recorded as
// missing, so a step that needs it fails with a message saying what arrived instead.

import sharp from 'sharp';
import { z } from 'zod';
import { decodeImage, type DecodedImage } from './decode-image.ts';

const contentPartSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.union([z.string(), z.looseObject({ url: z.string() })]).optional(),
});

const messageSchema = z.looseObject({
  role: z.string(),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});

export const chatBodySchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(messageSchema),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(z.unknown()).nullish(),
});
export type ChatBody = z.infer<typeof chatBodySchema>;

export type RecordedMessage = {
  readonly role: string;
  readonly texts: readonly string[];
  readonly imageCount: number;
};

export type ImageSummary = {
  /** Index of the message that carries it. */
  readonly messageIndex: number;
  /** What the data URL says (`image/png`), or undefined for a URL that is not a data URL. */
  readonly declaredMediaType: string | undefined;
  /** What the bytes are (sharp's `format`), or undefined when they could not be read. */
  readonly format: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly bytes: number;
};

export type DecodedChatRequest = {
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  /** System messages joined with a blank line, or undefined when there are none. */
  readonly system: string | undefined;
  readonly messages: readonly RecordedMessage[];
  /** Every text part of every message, in order (system included). */
  readonly texts: readonly string[];
  /** The text parts of the last user message, joined with a newline. */
  readonly lastUserText: string;
  readonly images: readonly ImageSummary[];
  /** The last image of the last user message, decoded; undefined when there is none. */
  readonly image: DecodedImage | undefined;
  /** The data URL's declared type of `image`. */
  readonly imageMediaType: string | undefined;
  /** Why `image` is undefined, in words. */
  readonly imageProblem: string | undefined;
  /** Tools offered in the API's `tools` field (the text protocol offers none). */
  readonly tools: readonly unknown[];
};

type ImageSource = { readonly messageIndex: number; readonly url: string };

export async function decodeChatRequest(body: ChatBody): Promise<DecodedChatRequest> {
  const messages: RecordedMessage[] = [];
  const texts: string[] = [];
  const sources: ImageSource[] = [];
  body.messages.forEach((message, messageIndex) => {
    const messageTexts: string[] = [];
    let imageCount = 0;
    const content = message.content;
    if (typeof content === 'string') {
      messageTexts.push(content);
    } else if (Array.isArray(content)) {
      for (const part of content) {
        if (part.type === 'text' && typeof part.text === 'string') messageTexts.push(part.text);
        if (part.type === 'image_url' && part.image_url !== undefined) {
          imageCount++;
          sources.push({ messageIndex, url: typeof part.image_url === 'string' ? part.image_url : part.image_url.url });
        }
      }
    }
    texts.push(...messageTexts);
    messages.push({ role: message.role, texts: messageTexts, imageCount });
  });

  const systemTexts = messages.filter((message) => message.role === 'system' || message.role === 'developer').flatMap((message) => message.texts);
  let lastUserIndex = -1;
  messages.forEach((message, index) => {
    if (message.role === 'user') lastUserIndex = index;
  });
  const lastUser = messages[lastUserIndex];

  const images = await Promise.all(sources.map(summariseImage));
  const newest = [...sources].reverse().find((source) => source.messageIndex === lastUserIndex);
  let image: DecodedImage | undefined;
  let imageProblem: string | undefined;
  let imageMediaType: string | undefined;
  if (!lastUser) {
    imageProblem = 'the request has no user message';
  } else if (!newest) {
    imageProblem =
      sources.length > 0
        ? `the last user message (message ${lastUserIndex}) carries no image; ${sources.length} image(s) sit in earlier messages`
        : 'the request carries no image at all';
  } else {
    const parsed = parseDataUrl(newest.url);
    imageMediaType = parsed?.mediaType;
    if (!parsed) {
      imageProblem = `the newest image is not a base64 data URL (${newest.url.slice(0, 40)}...)`;
    } else {
      try {
        image = await decodeImage(parsed.bytes);
      } catch (error) {
        imageProblem = `the newest image (${parsed.mediaType}, ${parsed.bytes.byteLength} bytes) could not be decoded: ${(error as Error).message}`;
      }
    }
  }

  return {
    model: body.model,
    stream: body.stream === true,
    includeUsage: body.stream_options?.include_usage === true,
    system: systemTexts.length > 0 ? systemTexts.join('\n\n') : undefined,
    messages,
    texts,
    lastUserText: lastUser ? lastUser.texts.join('\n') : '',
    images,
    image,
    imageMediaType,
    imageProblem,
    tools: body.tools ?? [],
  };
}

export function parseDataUrl(url: string): { mediaType: string; bytes: Buffer } | undefined {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1]!, bytes: Buffer.from(match[2]!, 'base64') };
}

async function summariseImage(source: ImageSource): Promise<ImageSummary> {
  const parsed = parseDataUrl(source.url);
  if (!parsed) return { messageIndex: source.messageIndex, declaredMediaType: undefined, format: undefined, width: undefined, height: undefined, bytes: 0 };
  try {
    const metadata = await sharp(parsed.bytes).metadata();
    return { messageIndex: source.messageIndex, declaredMediaType: parsed.mediaType, format: metadata.format, width: metadata.width, height: metadata.height, bytes: parsed.bytes.byteLength };
  } catch {
    return { messageIndex: source.messageIndex, declaredMediaType: parsed.mediaType, format: undefined, width: undefined, height: undefined, bytes: parsed.bytes.byteLength };
  }
}
