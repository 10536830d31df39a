using System.Text.Json;
using BgpKit.Bfd;
using BgpKit.Bgp.Wire.Capture;

namespace BgpKit.Cli.Decode;

/// <summary>BFD control packets (RFC 5880 4.1) as decoded by src/Bfd; intervals in microseconds as on the wire.</summary>
internal static class BfdJson
{
    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText Diag = JsonEncodedText.Encode("diag");
    private static readonly JsonEncodedText State = JsonEncodedText.Encode("state");
    private static readonly JsonEncodedText Poll = JsonEncodedText.Encode("poll");
    private static readonly JsonEncodedText Final = JsonEncodedText.Encode("final");
    private static readonly JsonEncodedText Cpi = JsonEncodedText.Encode("controlPlaneIndependent");
    private static readonly JsonEncodedText AuthPresent = JsonEncodedText.Encode("authPresent");
    private static readonly JsonEncodedText Demand = JsonEncodedText.Encode("demand");
    private static readonly JsonEncodedText Multipoint = JsonEncodedText.Encode("multipoint");
    private static readonly JsonEncodedText DetectMult = JsonEncodedText.Encode("detectMult");
    private static readonly JsonEncodedText MyDiscriminator = JsonEncodedText.Encode("myDiscriminator");
    private static readonly JsonEncodedText YourDiscriminator = JsonEncodedText.Encode("yourDiscriminator");
    private static readonly JsonEncodedText DesiredMinTx = JsonEncodedText.Encode("desiredMinTxInterval");
    private static readonly JsonEncodedText RequiredMinRx = JsonEncodedText.Encode("requiredMinRxInterval");
    private static readonly JsonEncodedText RequiredMinEchoRx = JsonEncodedText.Encode("requiredMinEchoRxInterval");
    private static readonly JsonEncodedText Auth = JsonEncodedText.Encode("auth");
    private static readonly JsonEncodedText KeyId = JsonEncodedText.Encode("keyId");
    private static readonly JsonEncodedText Sequence = JsonEncodedText.Encode("sequence");

    /// <summary>Writes one BFD packet line; a packet the decoder rejects is printed with its error and counted.</summary>
    public static void Write(Utf8JsonWriter json, in CaptureItem item, DecodeSummary summary)
    {
        json.WriteStartObject();
        json.WriteString(JsonNames.Kind, JsonNames.Bfd);
        json.WriteString(JsonNames.Src, item.Flow.Source);
        json.WriteString(JsonNames.Dst, item.Flow.Destination);
        var error = BfdControlPacket.TryDecode(item.Data.Span, out var packet);
        if (error != BfdDecodeError.None)
        {
            summary.Errors++;
            summary.Count("bfd", "invalid");
            json.WriteStartObject(JsonNames.Error);
            json.WriteString(JsonNames.Reason, error.ToString());
            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }
        summary.Count("bfd", packet.State.ToString());
        json.WriteNumber(Version, packet.Version);
        json.WriteNumber(Diag, (byte)packet.Diagnostic);
        json.WriteNumber(State, (byte)packet.State);
        json.WriteBoolean(Poll, packet.Poll);
        json.WriteBoolean(Final, packet.Final);
        json.WriteBoolean(Cpi, packet.ControlPlaneIndependent);
        json.WriteBoolean(AuthPresent, packet.AuthenticationPresent);
        json.WriteBoolean(Demand, packet.Demand);
        json.WriteBoolean(Multipoint, packet.Multipoint);
        json.WriteNumber(DetectMult, packet.DetectMultiplier);
        json.WriteNumber(MyDiscriminator, packet.MyDiscriminator);
        json.WriteNumber(YourDiscriminator, packet.YourDiscriminator);
        json.WriteNumber(DesiredMinTx, packet.DesiredMinTxInterval);
        json.WriteNumber(RequiredMinRx, packet.RequiredMinRxInterval);
        json.WriteNumber(RequiredMinEchoRx, packet.RequiredMinEchoRxInterval);
        if (packet.Authentication is { } auth)
        {
            // The key or digest itself is never printed.
            json.WriteStartObject(Auth);
            json.WriteNumber(JsonNames.Type, (byte)auth.Type);
            json.WriteNumber(KeyId, auth.KeyId);
            json.WriteNumber(Sequence, auth.SequenceNumber);
            json.WriteEndObject();
        }
        json.WriteEndObject();
    }
}
