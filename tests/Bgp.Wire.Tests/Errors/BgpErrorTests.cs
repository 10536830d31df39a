namespace BgpKit.Bgp.Wire.Tests.Errors;

public class BgpErrorTests
{
    [Fact]
    public void Codes_match_the_iana_registry()
    {
        Assert.Equal(6, (int)BgpErrorCode.Cease);
        Assert.Equal(8, (int)BgpErrorCode.SendHoldTimerExpired);
        Assert.Equal(9, (int)CeaseSubcode.HardReset);
        Assert.Equal(10, (int)CeaseSubcode.BfdDown);
        Assert.Equal(11, (int)UpdateMessageErrorSubcode.MalformedAsPath);
        Assert.Equal(11, (int)OpenMessageErrorSubcode.RoleMismatch);
    }

    [Fact]
    public void Error_becomes_the_notification_it_prescribes()
    {
        var error = new BgpError(BgpErrorCode.UpdateMessageError, (byte)UpdateMessageErrorSubcode.AttributeLengthError, new byte[] { 0x40, 1, 2, 0, 0 }, ErrorAction.TreatAsWithdraw, "test");
        var notification = error.ToNotification();
        Assert.Equal(BgpErrorCode.UpdateMessageError, notification.Code);
        Assert.Equal(5, notification.Subcode);
        Assert.Equal(new byte[] { 0x40, 1, 2, 0, 0 }, notification.Data.ToArray());
        var ex = new BgpWireException(error);
        Assert.Same(error, ex.Error);
        Assert.Contains("TreatAsWithdraw", ex.Message);
    }
}
