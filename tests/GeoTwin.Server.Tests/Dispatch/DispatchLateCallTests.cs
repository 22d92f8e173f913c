using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GeoTwin.Server.Tests.Dispatch;

/// <summary>A call entered late: intake with the time the call came in (receivedAt), which the overview's timers run from.</summary>
public sealed partial class DispatchEndpointsTests
{
    [Fact]
    public async Task A_call_entered_late_keeps_the_time_it_came_in_and_the_trail_says_so()
    {
        var received = DateTimeOffset.UtcNow.AddMinutes(-40);
        var response = await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new
        {
            category = "disturbance", priority = 3, receivedAt = received, location = new { lon = _w.Lon, lat = _w.Lat },
        });
        var code = (await Json(response, HttpStatusCode.Created)).GetProperty("code").GetString()!;

        var listed = await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}"));
        Assert.Equal(received.UtcDateTime, listed.GetProperty("receivedAt").GetDateTime().ToUniversalTime(), TimeSpan.FromMilliseconds(1));
        var intake = (await Json(await _w.Dispatcher.GetAsync($"/api/incidents/{code}/trail")))[0];
        Assert.Equal("intake", intake.GetProperty("kind").GetString());
        // entered now, received 40 minutes ago: the trail has both
        Assert.True(intake.GetProperty("at").GetDateTime().ToUniversalTime() > received.UtcDateTime.AddMinutes(39));
        Assert.Contains("receivedAt", intake.GetProperty("details").GetString());
        await _w.Dispatcher.PostAsJsonAsync($"/api/incidents/{code}/cancel", new { });
    }

    [Theory]
    [InlineData(10, "is in the future")]
    [InlineData(-25 * 60, "within the last 24 hours")]
    public async Task A_late_call_s_time_must_be_of_this_shift(int minutes, string text)
    {
        var response = await _w.Dispatcher.PostAsJsonAsync("/api/incidents", new
        {
            category = "disturbance", priority = 3, receivedAt = DateTimeOffset.UtcNow.AddMinutes(minutes), location = new { lon = _w.Lon, lat = _w.Lat },
        });
        var problem = await Json(response, HttpStatusCode.BadRequest);
        Assert.Equal("receivedAt", problem.GetProperty("field").GetString());
        Assert.Contains(text, problem.GetProperty("detail").GetString());
    }
}
