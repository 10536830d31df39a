using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Writes one JSON object per line into a large buffer and hands it to the output stream in big
/// blocks: decoding a RIB dump prints millions of lines, and small writes would dominate the time.
/// </summary>
internal sealed class JsonLineWriter : IDisposable
{
    private const int FlushThreshold = 1 << 17;
    private readonly Stream _output;
    private readonly ArrayBufferWriter<byte> _buffer = new(FlushThreshold * 2);

    public JsonLineWriter(Stream output)
    {
        _output = output;
        Json = new Utf8JsonWriter(_buffer, new JsonWriterOptions
        {
            Indented = false,
            SkipValidation = true,
            // Prefix text, shutdown messages and AS path strings are data, not HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });
    }

    /// <summary>The writer for the current line; write exactly one object, then call <see cref="EndLine"/>.</summary>
    public Utf8JsonWriter Json { get; }

    public void EndLine()
    {
        Json.Flush();
        Json.Reset();
        _buffer.GetSpan(1)[0] = (byte)'\n';
        _buffer.Advance(1);
        if (_buffer.WrittenCount >= FlushThreshold)
        {
            Flush();
        }
    }

    public void Flush()
    {
        Json.Flush();
        _output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
        _output.Flush();
    }

    public void Dispose()
    {
        Flush();
        Json.Dispose();
    }
}
