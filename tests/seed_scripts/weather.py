# The seed page's first example, verbatim below the marked preamble. The preamble supplies
# the `weather_api` the page leaves to the reader; the test points the OpenAI SDK at the
# local LLM test server through OPENAI_BASE_URL / OPENAI_API_KEY.
class _WeatherApi:
    async def get(self, city):
        return {"city": city, "forecast": "sunny", "temperature_c": 21}


weather_api = _WeatherApi()
# ---- verbatim from the seed page ----
import asyncio
from polos import PolosClient, Agent, tool, WorkflowContext
from pydantic import BaseModel

class WeatherInput(BaseModel):
    city: str

@tool(description="Get weather for a city")
async def get_weather(ctx: WorkflowContext, input: WeatherInput):
    return await weather_api.get(input.city)

weather_agent = Agent(
    id="weather-agent",
    provider="openai",
    model="gpt-4o",
    system_prompt="You are a helpful weather assistant.",
    tools=[get_weather]
)

async def main():
    client = PolosClient()
    # Run the agent
    response = await weather_agent.run(client, "What's the weather in NYC?")
    print(response.result)

if __name__ == "__main__":
    asyncio.run(main())
