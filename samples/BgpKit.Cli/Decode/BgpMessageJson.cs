using System.Text.Json;
using BgpKit.Bgp.Wire;

namespace BgpKit.Cli.Decode;

/// <summary>
/// Writes the fields of one BGP message (after kind/src/dst) as the decode contract names them. The
/// codec (src/Bgp.Wire) decodes; a malformed message is printed with <c>error:{code, subcode, action}</c>.
/// </summary>
internal static partial class BgpMessageJson
{
    private static readonly JsonEncodedText[] TypeNames =
    [
        JsonEncodedText.Encode("UNKNOWN"),
        JsonEncodedText.Encode("OPEN"),
        JsonEncodedText.Encode("UPDATE"),
        JsonEncodedText.Encode("NOTIFICATION"),
        JsonEncodedText.Encode("KEEPALIVE"),
        JsonEncodedText.Encode("ROUTE-REFRESH"),
    ];

    private static readonly string[] TypeNameStrings = ["UNKNOWN", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE", "ROUTE-REFRESH"];

    private static readonly JsonEncodedText Version = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText MyAsn = JsonEncodedText.Encode("myAsn");
    private static readonly JsonEncodedText MyAsnWire = JsonEncodedText.Encode("myAsnWire");
    private static readonly JsonEncodedText HoldTime = JsonEncodedText.Encode("holdTime");
    private static readonly JsonEncodedText BgpIdName = JsonEncodedText.Encode("bgpId");
    private static readonly JsonEncodedText Capabilities = JsonEncodedText.Encode("capabilities");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText ShutdownMessage = JsonEncodedText.Encode("shutdownMessage");
    private static readonly JsonEncodedText MaximumPrefixes = JsonEncodedText.Encode("maximumPrefixes");
    private static readonly JsonEncodedText UpperBound = JsonEncodedText.Encode("upperBound");
    private static readonly JsonEncodedText Families = JsonEncodedText.Encode("families");
    private static readonly JsonEncodedText Direction = JsonEncodedText.Encode("direction");
    private static readonly JsonEncodedText RestartTime = JsonEncodedText.Encode("restartTime");
    private static readonly JsonEncodedText Flags = JsonEncodedText.Encode("flags");
    private static readonly JsonEncodedText Role = JsonEncodedText.Encode("role");
    private static readonly JsonEncodedText HostName = JsonEncodedText.Encode("hostName");
    private static readonly JsonEncodedText DomainName = JsonEncodedText.Encode("domainName");
    private static readonly JsonEncodedText StaleTime = JsonEncodedText.Encode("staleTime");
    private static readonly JsonEncodedText NextHopAfi = JsonEncodedText.Encode("nextHopAfi");

    public static string TypeName(byte type) => type is >= 1 and <= 5 ? TypeNameStrings[type] : "UNKNOWN";

    /// <summary>Writes a message cut from a captured session; learns the session's context from its OPENs.</summary>
    public static void WriteCaptured(Utf8JsonWriter json, ReadOnlySpan<byte> message, BgpSessionView session, int direction, DecodeSummary summary)
    {
        var context = session.ContextFor(direction);
        var guessed = context is null;
        if (context is null && message.Length > 18 && message[18] == (byte)BgpMessageType.Update)
        {
            context = AsPathWidth.Guess(message) == true ? LenientAs4 : Lenient;
            if (session.GuessedAddPath(direction))
            {
                context = WithAllAddPath(context);
            }
        }
        // Without both OPENs the size limit is unknown: accept extended messages rather than reject them.
        context ??= Lenient;
        var decoded = TryDecode(message, context, out var error);
        if (guessed && error is not null && message.Length > 18 && message[18] == (byte)BgpMessageType.Update && !session.GuessedAddPath(direction))
        {
            // No OPEN says whether NLRI carry ADD-PATH path identifiers (RFC 7911): try reading them, as Wireshark does.
            // A reading that gets past the NLRI fields (even to a later error) is the better one.
            var withPathIds = TryDecode(message, WithAllAddPath(context), out var second);
            if (second is null || (IsNlriError(error) && !IsNlriError(second)))
            {
                session.GuessAddPath(direction);
                decoded = withPathIds;
                error = second;
            }
        }
        Write(json, message, decoded, error, context, summary);
        if (decoded is OpenMessage open)
        {
            session.OnOpen(direction, open);
        }
    }

    private static bool IsNlriError(BgpError error) =>
        error.Code == BgpErrorCode.UpdateMessageError && error.Subcode == (byte)UpdateMessageErrorSubcode.InvalidNetworkField;

    private static BgpMessage? TryDecode(ReadOnlySpan<byte> message, BgpDecodeContext context, out BgpError? error)
    {
        try
        {
            error = null;
            return BgpMessage.Decode(message, context);
        }
        catch (BgpWireException e)
        {
            error = e.Error;
            return null;
        }
    }

    private static readonly BgpDecodeContext LenientAs4 = new() { ExtendedMessage = true, FourOctetAs = true };

    private static readonly BgpDecodeContext Lenient = new() { ExtendedMessage = true };

    /// <summary>Writes a message (header included) from an MRT record, whose subtype fixes the context.</summary>
    public static void WriteFromMrt(Utf8JsonWriter json, ReadOnlySpan<byte> message, bool fourOctetAs, bool addPath, DecodeSummary summary)
    {
        var context = MrtContexts[(fourOctetAs ? 1 : 0) + (addPath ? 2 : 0)];
        var decoded = TryDecode(message, context, out var error);
        Write(json, message, decoded, error, context, summary);
    }

    // MRT collectors record messages as received; ADD-PATH subtypes say every family carries path ids (RFC 8050).
    private static readonly BgpDecodeContext[] MrtContexts =
    [
        new() { ExtendedMessage = true },
        new() { ExtendedMessage = true, FourOctetAs = true },
        WithAllAddPath(new() { ExtendedMessage = true }),
        WithAllAddPath(new() { ExtendedMessage = true, FourOctetAs = true }),
    ];

    private static BgpDecodeContext WithAllAddPath(BgpDecodeContext context) => context
        .WithAddPath(AfiSafi.IPv4Unicast, AddPathDirection.Receive)
        .WithAddPath(AfiSafi.IPv6Unicast, AddPathDirection.Receive)
        .WithAddPath(new AfiSafi(Afi.IPv4, Safi.Multicast), AddPathDirection.Receive)
        .WithAddPath(new AfiSafi(Afi.IPv6, Safi.Multicast), AddPathDirection.Receive);

    private static void Write(Utf8JsonWriter json, ReadOnlySpan<byte> message, BgpMessage? decoded, BgpError? error, BgpDecodeContext context, DecodeSummary summary)
    {
        var type = message.Length > 18 ? message[18] : (byte)0;
        var known = type is >= 1 and <= 5;
        json.WriteString(JsonNames.Type, known ? TypeNames[type] : TypeNames[0]);
        summary.Count("bgp", known ? TypeNameStrings[type] : "UNKNOWN");
        if (decoded is null)
        {
            WriteError(json, error!, summary);
            return;
        }
        switch (decoded)
        {
            case OpenMessage open:
                WriteOpen(json, open);
                break;
            case NotificationMessage notification:
                WriteNotification(json, notification);
                break;
            case RouteRefreshMessage refresh:
                json.WriteNumber(JsonNames.Afi, (ushort)refresh.AfiSafi.Afi);
                json.WriteNumber(JsonNames.Safi, (byte)refresh.AfiSafi.Safi);
                json.WriteNumber(JsonNames.Subtype, (byte)refresh.Subtype);
                break;
            default:
                WriteOther(json, decoded, context, summary);
                break;
        }
    }

    public static void WriteError(Utf8JsonWriter json, BgpError error, DecodeSummary summary)
    {
        summary.Errors++;
        json.WriteStartObject(JsonNames.Error);
        WriteErrorFields(json, error);
        json.WriteEndObject();
    }

    private static void WriteErrorFields(Utf8JsonWriter json, BgpError error)
    {
        json.WriteNumber(JsonNames.Code, (byte)error.Code);
        json.WriteNumber(JsonNames.Subcode, error.Subcode);
        json.WriteString(JsonNames.Action, ActionName(error.Action));
        json.WriteString(JsonNames.Reason, error.Reason);
    }

    private static string ActionName(ErrorAction action) => action switch
    {
        ErrorAction.None => "none",
        ErrorAction.AttributeDiscard => "attributeDiscard",
        ErrorAction.TreatAsWithdraw => "treatAsWithdraw",
        ErrorAction.AfiSafiDisable => "afiSafiDisable",
        ErrorAction.SessionReset => "sessionReset",
        _ => action.ToString(),
    };

    private static void WriteOpen(Utf8JsonWriter json, OpenMessage open)
    {
        json.WriteNumber(Version, open.Version);
        // The speaker's AS (the 4-octet capability's when present) and, apart, the 2-octet field as sent:
        // AS_TRANS (23456) for a 4-octet AS (RFC 6793 4.2.2), which is what tshark shows as "My AS".
        json.WriteNumber(MyAsn, open.Asn);
        json.WriteNumber(MyAsnWire, open.MyAs);
        json.WriteNumber(HoldTime, open.HoldTime);
        json.WriteString(BgpIdName, open.BgpIdentifierAddress.ToString());
        json.WriteStartArray(Capabilities);
        foreach (var capability in open.Capabilities)
        {
            WriteCapability(json, capability);
        }
        json.WriteEndArray();
    }

    private static void WriteCapability(Utf8JsonWriter json, Capability capability)
    {
        json.WriteStartObject();
        var code = capability is UnknownCapability unknown ? unknown.RawCode : (byte)capability.Code;
        json.WriteNumber(JsonNames.Code, code);
        switch (capability)
        {
            case MultiprotocolCapability mp:
                json.WriteString(Name, "multiprotocol");
                WriteAfiSafi(json, mp.AfiSafi);
                break;
            case RouteRefreshCapability:
                json.WriteString(Name, "routeRefresh");
                break;
            case EnhancedRouteRefreshCapability:
                json.WriteString(Name, "enhancedRouteRefresh");
                break;
            case ExtendedMessageCapability:
                json.WriteString(Name, "extendedMessage");
                break;
            case FourOctetAsCapability as4:
                json.WriteString(Name, "fourOctetAs");
                json.WriteNumber(JsonNames.Asn, as4.Asn);
                break;
            case AddPathCapability addPath:
                json.WriteString(Name, "addPath");
                json.WriteStartArray(Families);
                foreach (var family in addPath.Families)
                {
                    json.WriteStartObject();
                    WriteAfiSafi(json, family.AfiSafi);
                    json.WriteString(Direction, family.Direction switch
                    {
                        AddPathDirection.Receive => "receive",
                        AddPathDirection.Send => "send",
                        AddPathDirection.Both => "both",
                        _ => "none",
                    });
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case GracefulRestartCapability gr:
                json.WriteString(Name, "gracefulRestart");
                json.WriteNumber(Flags, gr.RestartFlags);
                json.WriteNumber(RestartTime, gr.RestartTimeSeconds);
                json.WriteStartArray(Families);
                foreach (var family in gr.Families)
                {
                    json.WriteStartObject();
                    WriteAfiSafi(json, family.AfiSafi);
                    json.WriteNumber(Flags, family.Flags);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case LongLivedGracefulRestartCapability llgr:
                json.WriteString(Name, "longLivedGracefulRestart");
                json.WriteStartArray(Families);
                foreach (var family in llgr.Families)
                {
                    json.WriteStartObject();
                    WriteAfiSafi(json, family.AfiSafi);
                    json.WriteNumber(Flags, family.Flags);
                    json.WriteNumber(StaleTime, family.StaleTimeSeconds);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case ExtendedNextHopCapability enh:
                json.WriteString(Name, "extendedNextHop");
                json.WriteStartArray(Families);
                foreach (var family in enh.Families)
                {
                    json.WriteStartObject();
                    json.WriteNumber(JsonNames.Afi, (ushort)family.NlriAfi);
                    json.WriteNumber(JsonNames.Safi, family.NlriSafi);
                    json.WriteNumber(NextHopAfi, (ushort)family.NextHopAfi);
                    json.WriteEndObject();
                }
                json.WriteEndArray();
                break;
            case RoleCapability role:
                json.WriteString(Name, "role");
                json.WriteNumber(Role, (byte)role.Role);
                break;
            case FqdnCapability fqdn:
                json.WriteString(Name, "fqdn");
                json.WriteString(HostName, fqdn.HostName);
                json.WriteString(DomainName, fqdn.DomainName);
                break;
            default:
                json.WriteString(Name, "unknown");
                json.WriteString(JsonNames.Hex, Convert.ToHexStringLower(capability.GetValue()));
                break;
        }
        json.WriteEndObject();
    }

    private static void WriteAfiSafi(Utf8JsonWriter json, AfiSafi afiSafi)
    {
        json.WriteNumber(JsonNames.Afi, (ushort)afiSafi.Afi);
        json.WriteNumber(JsonNames.Safi, (byte)afiSafi.Safi);
    }

    private static void WriteNotification(Utf8JsonWriter json, NotificationMessage notification)
    {
        json.WriteNumber(JsonNames.Code, (byte)notification.Code);
        json.WriteNumber(JsonNames.Subcode, notification.Subcode);
        json.WriteString(Data, Convert.ToHexStringLower(notification.Data.Span));
        if (notification.ShutdownCommunication is { } text)
        {
            json.WriteString(ShutdownMessage, text);
        }
        if (notification.MaximumPrefixes is { } limit)
        {
            // RFC 4486 section 4: the family and upper bound of Cease/Maximum Number of Prefixes Reached.
            json.WriteStartObject(MaximumPrefixes);
            WriteAfiSafi(json, limit.AfiSafi);
            json.WriteNumber(UpperBound, limit.UpperBound);
            json.WriteEndObject();
        }
    }
}
